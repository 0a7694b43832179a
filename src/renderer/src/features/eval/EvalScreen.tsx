// The Evaluate screen (key 4): launch an eval, the runs x suites table with the paper's rows,
// one run's metrics and samples (each opening the model's trace), and two runs compared.
import { useEffect, useRef, useState } from 'react'
import { Panel } from '../../app/error-boundary'
import type { EvalRun, EvalSuite, ModelEntry, ProjectInfo } from '../../../../shared/contract'
import { useStudio } from '../../app/studio-context'
import { EvalLauncher } from './EvalLauncher'
import { RunCompare } from './RunCompare'
import { RunDetail } from './RunDetail'
import { RunsTable } from './RunsTable'
import './eval.css'

export function EvalScreen({ onError }: { project: ProjectInfo; onError: (message: string) => void }): React.JSX.Element {
  const { client, nav } = useStudio()
  const [models, setModels] = useState<ModelEntry[]>([])
  const [suites, setSuites] = useState<EvalSuite[]>([])
  const [runs, setRuns] = useState<EvalRun[]>([])
  const [selected, setSelected] = useState<string | null>(nav.screen === 'eval' ? (nav.jobId ?? null) : null)
  const [tab, setTab] = useState<'samples' | 'compare'>('samples')
  const [refreshKey, setRefreshKey] = useState(0)
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null)

  useEffect(() => {
    const loadRuns = (): void => {
      client.call('eval.runs', {}).then((r) => {
        setRuns(r)
        setRefreshKey((k) => k + 1)
      }, (e: Error) => onError(e.message))
    }
    const loadSuites = (): void => void client.call('eval.suites', {}).then(setSuites, (e: Error) => onError(e.message))
    loadRuns()
    loadSuites()
    client.call('models.list', {}).then(setModels, (e: Error) => onError(e.message))
    // a running eval reports every sample: refresh at most twice a second
    const offEval = client.on('eval.changed', () => {
      if (pending.current) return
      pending.current = setTimeout(() => {
        pending.current = null
        loadRuns()
      }, 500)
    })
    const offProject = client.on('project.changed', loadSuites)
    return () => {
      offEval()
      offProject()
      if (pending.current) clearTimeout(pending.current)
      pending.current = null
    }
  }, [client, onError])

  const run = runs.find((r) => r.id === selected) ?? null
  return (
    <div className="eval-screen">
      <EvalLauncher models={models} suites={suites} runs={runs} selected={selected} onSelect={setSelected} />
      <main className="ev-main">
        <Panel name="eval-runs">
          <RunsTable runs={runs} selected={selected} onSelect={setSelected} />
        </Panel>
        {run ? (
          <>
            <nav className="tabs" aria-label="Run views">
              <button className={tab === 'samples' ? 'tab active' : 'tab'} onClick={() => setTab('samples')}>
                Samples
              </button>
              <button className={tab === 'compare' ? 'tab active' : 'tab'} onClick={() => setTab('compare')}>
                Compare
              </button>
            </nav>
            <Panel name={tab === 'samples' ? 'eval-samples' : 'eval-compare'}>
              {tab === 'samples' ? <RunDetail run={run} refreshKey={refreshKey} /> : <RunCompare run={run} runs={runs} />}
            </Panel>
          </>
        ) : (
          <p className="muted pad">{runs.length ? 'Pick a run (a cell of the table, or the list) to see its samples.' : 'Run an evaluation to fill the table.'}</p>
        )}
      </main>
    </div>
  )
}
