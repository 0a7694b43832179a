// Train (key 5): launch a run, watch the queue, follow a run's curves and log live, compare runs
// on one chart, open rollouts in Review, register a finished model for the Playground.
import { useEffect, useState } from 'react'
import { Panel } from '../../app/error-boundary'
import type { ProjectInfo, TrainingRun } from '../../../../shared/contract'
import { useStudio } from '../../app/studio-context'
import { CompareRuns } from './CompareRuns'
import { LaunchForm } from './LaunchForm'
import { RunDetail } from './RunDetail'
import { useRuns } from './use-training'
import './training.css'

function RunRow(props: { run: TrainingRun; selected: boolean; compared: boolean; onSelect: () => void; onCompare: (on: boolean) => void }): React.JSX.Element {
  const { run } = props
  const step = run.step === null ? '' : `step ${run.step}${run.totalSteps ? `/${run.totalSteps}` : ''}`
  return (
    <li className={props.selected ? 'selected' : ''} data-testid="run-row" data-run-id={run.id} data-status={run.status}>
      <input type="checkbox" aria-label={`compare ${run.title}`} checked={props.compared} onChange={(e) => props.onCompare(e.target.checked)} />
      <button className="run-pick" onClick={props.onSelect}>
        <span className="run-title">{run.title}</span>
        <span className={`status ${run.status}`}>
          {run.status}
          {run.queuePosition ? ` #${run.queuePosition}` : ''}
        </span>
        <span className="muted small">
          {run.backend} {run.algorithm} {step}
        </span>
      </button>
    </li>
  )
}

export function TrainingScreen({ project, onError }: { project: ProjectInfo; onError: (message: string) => void }): React.JSX.Element {
  const { nav } = useStudio()
  const runs = useRuns(onError)
  const [selectedId, setSelectedId] = useState<string | null>(nav.screen === 'training' ? (nav.jobId ?? null) : null)
  const [compare, setCompare] = useState<string[]>([])
  const [launching, setLaunching] = useState(false)

  useEffect(() => {
    if (nav.screen === 'training' && nav.jobId) setSelectedId(nav.jobId)
  }, [nav])
  const selected = runs.find((r) => r.id === selectedId) ?? runs[0] ?? null
  const compared = runs.filter((r) => compare.includes(r.id))

  return (
    <div className="training" data-project={project.path}>
      <aside className="training-side">
        <div className="actions">
          <button onClick={() => setLaunching((l) => !l)} aria-expanded={launching}>
            {launching ? 'Close form' : 'New run'}
          </button>
        </div>
        {launching && (
          <Panel name="launch">
          <LaunchForm
            onLaunched={(run) => {
              setSelectedId(run.id)
              setLaunching(false)
            }}
          />
          </Panel>
        )}
        <h3>Runs</h3>
        {runs.length === 0 && <p className="muted small">No runs yet. Queue one from a snapshot of accepted traces.</p>}
        <ul className="runs" aria-label="Runs">
          {runs.map((run) => (
            <RunRow
              key={run.id}
              run={run}
              selected={compared.length < 2 && run.id === selected?.id}
              compared={compare.includes(run.id)}
              onSelect={() => {
                setSelectedId(run.id)
                setCompare([])
              }}
              onCompare={(on) => setCompare((c) => (on ? [...c, run.id] : c.filter((id) => id !== run.id)))}
            />
          ))}
        </ul>
      </aside>
      <section className="training-main">
        {compared.length >= 2 ? (
          <Panel name="compare">
            <CompareRuns runs={compared} onError={onError} />
          </Panel>
        ) : selected ? (
          <Panel key={selected.id} name="run">
            <RunDetail run={selected} onError={onError} />
          </Panel>
        ) : (
          <div className="muted pad">Select or launch a run.</div>
        )}
      </section>
    </div>
  )
}
