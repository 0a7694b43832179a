import { useEffect, useState } from 'react'
import type { EvalMetrics, EvalRun, EvalSampleResult } from '../../../../shared/contract'
import { useStudio } from '../../app/studio-context'
import { useShortcut } from '../../app/use-shortcut'
import { ErrorBanner } from '../../app/widgets'
import { ms, pct } from './format'
import { TraceInline } from './TraceInline'

type Outcome = 'all' | 'right' | 'wrong' | 'failed' | 'unscorable'
type OpsFilter = 'any' | 'yes' | 'no'

function MetricCells({ m }: { m: EvalMetrics }): React.JSX.Element {
  return (
    <>
      <td>{pct(m.accuracy)}</td>
      <td>{pct(m.rapr)}</td>
      <td>{m.opsPerAnswer.toFixed(2)}</td>
      <td>{pct(m.accuracyWithOps)}</td>
      <td>{pct(m.accuracyWithoutOps)}</td>
      <td>{ms(m.meanLatencyMs)}</td>
      <td>{m.count}</td>
    </>
  )
}

/** One run: its metrics (whole suite and per category) and its samples, each opening its trace. */
export function RunDetail({ run, refreshKey }: { run: EvalRun; refreshKey: number }): React.JSX.Element {
  const { client } = useStudio()
  const [outcome, setOutcome] = useState<Outcome>('all')
  const [ops, setOps] = useState<OpsFilter>('any')
  const [category, setCategory] = useState('')
  const [rows, setRows] = useState<{ total: number; items: EvalSampleResult[] }>({ total: 0, items: [] })
  const [selected, setSelected] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    client
      .call('eval.results', { runId: run.id, outcome, limit: 500, ...(ops === 'any' ? {} : { usedOperation: ops === 'yes' }), ...(category ? { category } : {}) })
      .then((page) => live && (setRows(page), setError(null)))
      .catch((e: Error) => live && setError(e.message))
    return () => {
      live = false
    }
  }, [client, run.id, outcome, ops, category, refreshKey])

  const index = rows.items.findIndex((r) => r.sampleId === selected)
  const move = (by: number): void => {
    const next = rows.items[Math.min(Math.max(index + by, 0), rows.items.length - 1)]
    if (next) setSelected(next.sampleId)
  }
  useShortcut(['j', 'ArrowDown'], () => move(1))
  useShortcut(['k', 'ArrowUp'], () => move(-1))
  const current = rows.items[index]

  return (
    <section className="ev-detail" aria-label="Run detail" data-run-id={run.id}>
      <h3>
        {run.label} · {run.suite} <span className="small muted">{run.id} · {run.model.name} · {run.status}</span>
      </h3>
      <table className="ev-metrics" data-testid="run-metrics">
        <thead>
          <tr>
            <th />
            <th>{run.metric === 'anls' ? 'ANLS' : 'accuracy'}</th>
            <th>RaPR</th>
            <th>ops / answer</th>
            <th>acc. with ops</th>
            <th>acc. without ops</th>
            <th>latency</th>
            <th>samples</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">all</th>
            <MetricCells m={run.metrics} />
          </tr>
          {run.byCategory.map((c) => (
            <tr key={c.category} data-testid="category-row">
              <th scope="row">{c.category}</th>
              <MetricCells m={c.metrics} />
            </tr>
          ))}
        </tbody>
      </table>
      {run.failed > 0 && <p className="bad small">{run.failed} samples could not run (filter "failed" to see why); Resume retries them.</p>}
      {run.unscorable > 0 && <p className="bad small">{run.unscorable} samples have a gold answer that cannot be scored (filter "gold cannot be scored" to see why); they are not counted.</p>}

      <div className="ev-filters">
        <select aria-label="Outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as Outcome)}>
          <option value="all">all</option>
          <option value="right">right</option>
          <option value="wrong">wrong</option>
          <option value="failed">failed to run</option>
          <option value="unscorable">gold cannot be scored</option>
        </select>
        <select aria-label="Used operation" value={ops} onChange={(e) => setOps(e.target.value as OpsFilter)}>
          <option value="any">with or without operations</option>
          <option value="yes">used an operation</option>
          <option value="no">no operation</option>
        </select>
        {run.byCategory.length > 0 && (
          <select aria-label="Category" value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">every category</option>
            {run.byCategory.map((c) => (
              <option key={c.category} value={c.category}>
                {c.category}
              </option>
            ))}
          </select>
        )}
        <span className="small muted" data-testid="result-count">
          {rows.total} sample{rows.total === 1 ? '' : 's'}
        </span>
      </div>
      <ErrorBanner message={error} />
      <div className="ev-results">
        <ul aria-label="Sample results">
          {rows.items.map((r) => (
            <li key={r.sampleId} className={r.sampleId === selected ? 'selected' : ''} onClick={() => setSelected(r.sampleId)} data-testid="sample-result" data-sample-id={r.sampleId}>
              <span className={r.error ? 'bad' : r.score >= 0.5 ? 'ok' : 'bad'}>{r.error ? 'failed' : r.unscorable ? 'unscorable' : run.metric === 'anls' ? r.score.toFixed(2) : r.score >= 0.5 ? 'right' : 'wrong'}</span>
              <span className="sample-id">{r.sampleId}</span>
              <span className="small">
                {r.error ?? r.unscorable ?? (
                  <>
                    {r.answer ?? '(none)'} / {r.gold} · {r.operations} ops
                  </>
                )}
              </span>
            </li>
          ))}
        </ul>
        <div className="ev-drill">
          {current?.traceId ? <TraceInline traceId={current.traceId} /> : current?.error ? <ErrorBanner message={current.error} /> : <p className="muted small">Pick a sample (j / k) to see how the model reasoned.</p>}
        </div>
      </div>
    </section>
  )
}
