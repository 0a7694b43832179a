// Experiments: the curiosity ablation as a form (a preset, a snapshot with a validation split, a
// base model), its arms as training runs, and the report: per-arm curves over training steps,
// the Table 1 rows plus RaPR, each arm's rollouts one click away in Review, JSON/Markdown export.
// Curves use the training screen's chart (swap for the uPlot one with the Train screen's).
import { useCallback, useEffect, useState } from 'react'
import type { Experiment, ExperimentDefinitionInput, ExperimentReport, ProjectInfo, Snapshot } from '../../../../shared/contract'
import { EXPERIMENT_PRESETS, type ExperimentPresetName } from '../../../../shared/experiment/presets'
import { reportMarkdown } from '../../../../shared/experiment/report-markdown'
import { useStudio } from '../../app/studio-context'
import { ChartControls, MetricChart, type ChartOptions } from '../training/MetricChart'
import '../training/training.css'

const COLORS = ['#6b7280', '#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04']
const CURVES: Array<{ name: string; title: string }> = [
  // GRPO steps; the warm start's final model is each arm's step 0 (its SFT steps are in the table)
  { name: 'val/accuracy', title: 'validation accuracy (step 0: warm start)' },
  { name: 'val/rapr', title: 'validation RaPR (step 0: warm start)' },
  { name: 'accuracy', title: 'train accuracy (rollouts)' },
  { name: 'rapr', title: 'train RaPR (rollouts)' },
  { name: 'ops_per_response', title: 'operations per answer' },
  { name: 'rewards/curiosity/mean', title: 'curiosity term' },
  { name: 'completions/mean_length', title: 'response length' }
]
const pct = (x: number | null): string => (x === null ? '–' : (100 * x).toFixed(1))
const num = (x: number | null): string => (x === null ? '–' : x.toFixed(3))

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  URL.revokeObjectURL(url)
}

function NewExperiment({ onCreated, onError }: { onCreated: (e: Experiment) => void; onError: (m: string) => void }): React.JSX.Element {
  const { client } = useStudio()
  const [snapshots, setSnapshots] = useState<Snapshot[]>([])
  const [preset, setPreset] = useState<ExperimentPresetName>('cpu-mini')
  const [snapshotId, setSnapshotId] = useState('')
  const [model, setModel] = useState('')
  const [studioTemplate, setStudioTemplate] = useState(false)
  const [problems, setProblems] = useState<string[] | null>(null)
  useEffect(() => {
    client.call('snapshots.list', {}).then((s) => {
      setSnapshots(s)
      if (s[0]) setSnapshotId(s[0].id)
    }, (e: Error) => onError(e.message))
  }, [client, onError])
  const def = (): ExperimentDefinitionInput => ({ ...EXPERIMENT_PRESETS[preset].definition(snapshotId, model || undefined), chatTemplate: studioTemplate ? 'studio' : 'model' })
  const validate = async (): Promise<void> => setProblems((await client.call('experiments.validate', def())).problems)
  const create = async (): Promise<void> => {
    try {
      onCreated(await client.call('experiments.create', def()))
      setProblems(null)
    } catch (e) {
      setProblems([(e as Error).message])
    }
  }
  const p = EXPERIMENT_PRESETS[preset]
  return (
    <div className="pad" data-testid="experiment-form">
      <h3>New experiment</h3>
      <label>
        preset{' '}
        <select value={preset} onChange={(e) => setPreset(e.target.value as ExperimentPresetName)}>
          {Object.keys(EXPERIMENT_PRESETS).map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </label>
      <p className="muted">
        {p.description}. Expected: {p.expected}.
      </p>
      <label>
        snapshot (with a validation split){' '}
        <select value={snapshotId} onChange={(e) => setSnapshotId(e.target.value)}>
          {snapshots.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} ({s.traceCount})
            </option>
          ))}
        </select>
      </label>
      {preset !== 'cpu-mini' && (
        <label>
          base model folder <input value={model} onChange={(e) => setModel(e.target.value)} placeholder="/models/Qwen2.5-VL-3B-Instruct" />
        </label>
      )}
      <label>
        <input type="checkbox" checked={studioTemplate} onChange={(e) => setStudioTemplate(e.target.checked)} /> train with the studio&apos;s tool chat template
      </label>
      <p className="muted">Arms: warm-start (SFT), curiosity, no-curiosity, text-only — the paper&apos;s reward (H 0.3, α 0.5, β 0.05, N 1), seed fixed.</p>
      <button onClick={() => void validate()}>Check</button> <button onClick={() => void create()}>Create</button>
      {problems && (problems.length === 0 ? <p>Ready to run.</p> : <ul className="error" role="alert">{problems.map((m) => <li key={m}>{m}</li>)}</ul>)}
    </div>
  )
}

function Report({ id, onError }: { id: string; onError: (m: string) => void }): React.JSX.Element {
  const { client, navigate } = useStudio()
  const [report, setReport] = useState<ExperimentReport | null>(null)
  const [chart, setChart] = useState<ChartOptions>({ smoothing: 0, log: false })
  const refresh = useCallback(() => {
    client.call('experiments.report', { id }).then(setReport, (e: Error) => onError(e.message))
  }, [client, id, onError])
  useEffect(() => {
    refresh()
    const off = client.on('training.changed', refresh)
    const offMetrics = client.on('training.metrics', refresh)
    return () => {
      off()
      offMetrics()
    }
  }, [client, refresh])
  if (!report) return <div className="muted pad">Loading…</div>
  const e = report.experiment
  const openRollouts = async (runId: string): Promise<void> => {
    const page = await client.call('training.rollouts', { id: runId, limit: 1 })
    if (page.items[0]) navigate({ screen: 'traces', traceId: page.items[0].traceId })
    else navigate({ screen: 'training', jobId: runId })
  }
  return (
    <div className="pad" data-testid="experiment-report">
      <h3 data-testid="experiment-status" data-status={e.status}>
        {e.definition.name} · {e.status}
      </h3>
      <button disabled={e.status !== 'defined'} onClick={() => void client.call('experiments.run', { id }).then(refresh, (x: Error) => onError(x.message))}>
        Run
      </button>{' '}
      <button disabled={e.status !== 'running'} onClick={() => void client.call('experiments.cancel', { id }).then(refresh, (x: Error) => onError(x.message))}>
        Cancel
      </button>{' '}
      <button onClick={() => download(`${e.id}.json`, JSON.stringify(report, null, 2), 'application/json')}>Export JSON</button>{' '}
      <button onClick={() => download(`${e.id}.md`, reportMarkdown(report), 'text/markdown')}>Export Markdown</button>
      <table className="table">
        <thead>
          <tr>
            <th>arm</th>
            <th>status</th>
            <th>val. acc</th>
            <th>val. RaPR</th>
            <th>train acc</th>
            <th>train RaPR</th>
            <th>curiosity</th>
            <th>length</th>
            <th>steps</th>
            <th>rollouts</th>
          </tr>
        </thead>
        <tbody>
          {report.table.map((r) => {
            const state = e.arms.find((a) => a.name === r.arm)
            const runId = state?.runId ?? null
            const evaluating = state?.evaluations.find((v) => v.status === 'running' || v.status === 'pending')
            const failedEval = state?.evaluations.find((v) => v.status === 'failed')
            return (
              <tr key={r.arm} data-testid="experiment-arm" data-arm={r.arm} data-status={r.status}>
                <td>{r.arm}</td>
                <td>{runId ? <button className="link" onClick={() => navigate({ screen: 'training', jobId: runId })}>{r.status}</button> : r.status}</td>
                <td title={failedEval?.error ?? undefined} data-testid="experiment-val-accuracy">
                  {pct(r.accuracy)}
                  {evaluating ? <span className="muted"> · {evaluating.status === 'running' ? 'evaluating' : 'to evaluate'} step {evaluating.step}</span> : null}
                  {failedEval ? <span className="error"> · evaluation failed</span> : null}
                </td>
                <td>{pct(r.rapr)}</td>
                <td>{pct(r.trainAccuracy)}</td>
                <td>{pct(r.trainRapr)}</td>
                <td>{num(r.curiosity)}</td>
                <td>{r.responseLength === null ? '–' : r.responseLength.toFixed(0)}</td>
                <td>{r.steps ?? '–'}</td>
                <td>{runId && r.rollouts > 0 ? <button className="link" onClick={() => void openRollouts(runId)} title="open in Review">{r.rollouts}</button> : r.rollouts}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <ChartControls options={chart} onChange={setChart} />
      <div className="curves">
        {CURVES.map((c) => (
          <MetricChart
            key={c.name}
            title={c.title}
            testId={`experiment-curve-${c.name}`}
            options={chart}
            sync="experiment"
            series={report.curves.flatMap((arm, i) => (c.name.startsWith('val/') && report.table[i]?.kind === 'warm-start' ? [] : [{ label: arm.arm, color: COLORS[i % COLORS.length] ?? '#000', points: (arm.metrics[c.name] ?? []).map((p) => ({ x: p.step, y: p.value })) }]))}
          />
        ))}
      </div>
      {report.notes.map((n) => (
        <p key={n} className="muted">
          {n}
        </p>
      ))}
    </div>
  )
}

export function ExperimentScreen({ project, onError }: { project: ProjectInfo; onError: (message: string) => void }): React.JSX.Element {
  const { client } = useStudio()
  const [list, setList] = useState<Experiment[]>([])
  const [selected, setSelected] = useState<string | null>(null)
  const load = useCallback(() => client.call('experiments.list', {}).then(setList, (e: Error) => onError(e.message)), [client, onError])
  useEffect(() => {
    void load()
    return client.on('training.changed', () => void load()) // an arm's run changed: its experiment's status may have
  }, [client, load, project.path])
  return (
    <div className="training" data-testid="experiment-screen">
      <aside className="training-side">
        <div className="actions">
          <button onClick={() => setSelected(null)}>New experiment</button>
        </div>
        <ul className="runs" aria-label="Experiments">
          {list.map((e) => (
            <li key={e.id}>
              <button className={selected === e.id ? 'link active' : 'link'} onClick={() => setSelected(e.id)} data-testid="experiment-row" data-id={e.id}>
                {e.definition.name} · {e.status}
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <section className="training-main">
        {selected ? (
          <Report key={selected} id={selected} onError={onError} />
        ) : (
          <NewExperiment
            onCreated={(e) => {
              void load()
              setSelected(e.id)
            }}
            onError={onError}
          />
        )}
      </section>
    </div>
  )
}
