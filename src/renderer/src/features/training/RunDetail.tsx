// One run: where it is, its curves and log as they come in, its checkpoints, what went wrong
// (kind, message, log tail), its rollouts (each opens in Review), and for a finished run with an
// ONNX export, one click to register the model so the Playground and Evaluate can load it; for a
// TRL / verl run, one click registers its checkpoint (served by serve_checkpoint.py).
import { useEffect, useMemo, useRef, useState } from 'react'
import type { ModelEntry, TrainingRollout, TrainingRun } from '../../../../shared/contract'
import { TRAINING_CURVES } from '../../../../shared/training/defaults'
import { useStudio } from '../../app/studio-context'
import { ErrorBanner, ProgressBar } from '../../app/widgets'
import { Panel } from '../../app/error-boundary'
import { ChartControls, MetricChart, type ChartOptions } from './MetricChart'
import { useLog, useMetrics } from './use-training'

export function RunDetail({ run, onError }: { run: TrainingRun; onError: (message: string) => void }): React.JSX.Element {
  const { client, navigate } = useStudio()
  const metrics = useMetrics([run.id], onError)
  const log = useLog(run.id, onError)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [chart, setChart] = useState<ChartOptions>({ smoothing: 0, log: false })
  const [models, setModels] = useState<ModelEntry[]>([])
  const [rollouts, setRollouts] = useState<{ total: number; items: TrainingRollout[] }>({ total: 0, items: [] })
  const logRef = useRef<HTMLPreElement>(null)

  useEffect(() => {
    client.call('models.list', {}).then(setModels, (e: Error) => onError(e.message))
  }, [client, onError])
  useEffect(() => {
    client.call('training.rollouts', { id: run.id, limit: 50 }).then(setRollouts, (e: Error) => onError(e.message))
  }, [client, run.id, run.rollouts, onError])
  useEffect(() => {
    const el = logRef.current
    if (el) el.scrollTop = el.scrollHeight
  }, [log])

  const act = async (work: () => Promise<unknown>): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      await work()
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  const runMetrics = metrics[run.id]
  const curves = useMemo(() => {
    const byName = new Map<string, Array<{ x: number; y: number }>>()
    for (const p of runMetrics?.points ?? []) {
      let curve = byName.get(p.name)
      if (!curve) byName.set(p.name, (curve = []))
      curve.push({ x: p.step, y: p.value })
    }
    for (const curve of byName.values()) curve.sort((a, b) => a.x - b.x)
    return TRAINING_CURVES.flatMap((name) => {
      const points = byName.get(name)
      return points ? [{ name, series: [{ label: run.title, color: '#4f8cff', points, stored: runMetrics?.stored[name] }] }] : []
    })
  }, [runMetrics, run.title])
  const registered = run.onnxDir ? models.find((m) => m.path === run.onnxDir) : undefined
  // PyTorch checkpoints of TRL / verl runs (tiny-torch writes its own format) are served by serve_checkpoint.py
  const servable = run.backend !== 'tiny-torch' && (run.status === 'succeeded' || run.checkpoints.length > 0)
  const served = models.find((m) => m.kind === 'checkpoint' && (m.path === run.runDir || m.path.startsWith(`${run.runDir}/`)))
  const canResume = ['failed', 'cancelled', 'interrupted'].includes(run.status)

  return (
    <div className="run-detail" data-testid="run-detail" data-run-id={run.id} data-status={run.status}>
      <header>
        <h2>{run.title}</h2>
        <span className={`status ${run.status}`} data-testid="run-status">
          {run.status}
          {run.cancelRequested && run.status === 'running' ? ' (stopping…)' : ''}
        </span>
        <span className="muted small">
          {run.backend} · {run.algorithm.toUpperCase()} · {run.device ?? run.spec.hardware.device} · attempt {Math.max(run.attempt, 1)} · snapshot {run.snapshotName ?? run.snapshotId}
        </span>
        <span className="spacer" />
        <div className="actions">
          {(run.status === 'running' || run.status === 'queued') && (
            <button disabled={busy || run.cancelRequested} onClick={() => void act(() => client.call('training.cancel', { id: run.id }))}>
              Cancel
            </button>
          )}
          {canResume && (
            <button disabled={busy} onClick={() => void act(() => client.call('training.resume', { id: run.id }))} title={run.checkpoints.length ? `from step ${run.checkpoints.at(-1)?.step}` : 'no checkpoint: starts over'}>
              {run.checkpoints.length ? 'Resume' : 'Restart'}
            </button>
          )}
          {run.status === 'succeeded' && run.onnxDir && !registered && (
            <button disabled={busy} onClick={() => void act(async () => setModels(await client.call('models.add', { path: run.onnxDir!, name: run.title }).then(() => client.call('models.list', {}))))}>
              Register model
            </button>
          )}
          {registered && (
            <button onClick={() => navigate({ screen: 'playground' })} title={registered.path} data-testid="registered-model">
              Registered as {registered.name}: open the Playground
            </button>
          )}
          {servable && !served && (
            <button
              disabled={busy}
              title="Register the run's final model (else its newest checkpoint) as a checkpoint model: loading it starts serve_checkpoint.py with the trainer environment"
              onClick={() => void act(async () => setModels(await client.call('models.addCheckpoint', { path: run.runDir, name: run.title }).then(() => client.call('models.list', {}))))}
            >
              Serve checkpoint
            </button>
          )}
          {served && (
            <button onClick={() => navigate({ screen: 'playground' })} title={served.path} data-testid="served-checkpoint">
              Checkpoint registered as {served.name}: open the Playground
            </button>
          )}
        </div>
      </header>
      <ErrorBanner message={error} />
      {run.progress && run.status === 'running' && <ProgressBar progress={run.progress} />}
      {run.error && (
        <div className="run-error" role="alert" data-testid="run-error" data-kind={run.error.kind}>
          <strong>{run.error.kind}</strong>: {run.error.message}
          {run.error.logTail.length > 0 && (
            <details>
              <summary>last {run.error.logTail.length} log lines</summary>
              <pre>{run.error.logTail.join('\n')}</pre>
            </details>
          )}
        </div>
      )}
      {curves.length > 0 && <ChartControls options={chart} onChange={setChart} />}
      <div className="curves" data-testid="curves">
        {curves.length === 0 && <div className="muted">No metrics yet.</div>}
        {curves.map(({ name, series }) => (
          <Panel key={name} name={`curve-${name}`}>
            <MetricChart title={name} testId={`curve-${name}`} series={series} options={chart} sync={`run-${run.id}`} />
          </Panel>
        ))}
      </div>
      <div className="run-columns">
        <section aria-label="Log">
          <h3>Log</h3>
          <pre className="log" ref={logRef} data-testid="run-log">
            {log.join('\n')}
          </pre>
        </section>
        <section aria-label="Artifacts">
          <h3>Checkpoints</h3>
          {run.checkpoints.length === 0 && <div className="muted small">none yet</div>}
          <ul className="plain" data-testid="checkpoints">
            {run.checkpoints.map((c) => (
              <li key={c.step} title={c.path}>
                step {c.step}
              </li>
            ))}
          </ul>
          {(run.modelDir || run.onnxDir) && (
            <div className="small">
              {run.modelDir && <div title={run.modelDir}>model: {run.modelDir}</div>}
              {run.onnxDir && <div title={run.onnxDir}>ONNX: {run.onnxDir}</div>}
            </div>
          )}
          <h3>Rollouts ({rollouts.total})</h3>
          <ul className="plain rollouts" data-testid="rollouts">
            {rollouts.items.map((r) => (
              <li key={r.traceId}>
                <button className="link" onClick={() => navigate({ screen: 'traces', traceId: r.traceId })} title="open in Review">
                  step {r.step} · {r.sampleId}
                </button>{' '}
                <span className={r.correct ? 'ok' : 'bad'}>{r.correct ? 'right' : 'wrong'}</span> · reward {r.reward?.toFixed(2)} · {r.operations} ops
              </li>
            ))}
          </ul>
          <div className="muted small" title={run.command.join(' ')}>
            folder: {run.runDir}
          </div>
        </section>
      </div>
    </div>
  )
}
