import { useEffect, useMemo, useState } from 'react'
import { SCREENS, type NavTarget } from './screens'
import { ErrorBanner } from './widgets'
import { ErrorBoundary } from './error-boundary'
import type { ProjectInfo, RuntimeReport } from '../../../shared/contract'
import { StudioClient } from '../../../shared/contract/client'
import { connect } from '../transport/connect'
import { HelpOverlay } from '../features/help/HelpOverlay'
import { ImportDialog } from '../features/import/ImportDialog'
import { SynthesizeDialog } from '../features/synthesis/SynthesizeDialog'
import { ProjectDialog } from '../features/project/ProjectDialog'
import { Playground } from '../features/playground/Playground'
import { SampleBrowser } from '../features/samples/SampleBrowser'
import { EvalScreen } from '../features/eval/EvalScreen'
import { setReviewKeymap } from '../features/traces/review-keys'
import { TraceScreen } from '../features/traces/TraceScreen'
import { TrainingScreen } from '../features/training/TrainingScreen'
import { ExperimentScreen } from '../features/experiments/ExperimentScreen'
import { StatusBar } from '../features/status/StatusBar'
import { StudioContext, type StudioContextValue } from './studio-context'
import { useShortcut } from './use-shortcut'

export function App(): React.JSX.Element {
  const [linkStatus, setLinkStatus] = useState<'open' | 'closed'>('open')
  const connection = useMemo(() => connect(setLinkStatus), [])
  const [nav, navigate] = useState<NavTarget>({ screen: 'samples' })
  const client = useMemo(() => (connection.ok ? new StudioClient(connection.connection.transport) : null), [connection])
  const studio = useMemo<StudioContextValue | null>(
    () => (connection.ok && client ? { client, mediaUrl: connection.connection.mediaUrl, nav, navigate } : null),
    [connection, client, nav]
  )
  const [project, setProject] = useState<ProjectInfo | null>(null)
  const [runtime, setRuntime] = useState<RuntimeReport | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [help, setHelp] = useState(false)
  const [projects, setProjects] = useState(false)
  const [importing, setImporting] = useState(false)
  const [synthesizing, setSynthesizing] = useState(false)
  const screen = nav.screen

  useEffect(() => {
    if (!studio) return
    const off = studio.client.on('project.changed', setProject)
    studio.client.call('project.current', {}).then(setProject, (e: Error) => setError(e.message))
    studio.client.call('runtime.report', {}).then(setRuntime, (e: Error) => setError(e.message))
    studio.client.call('settings.keymap', {}).then((k) => setReviewKeymap(k.review), (e: Error) => setError(e.message))
    return off
  }, [studio])

  useShortcut('?', () => setHelp((h) => !h))
  useShortcut('Escape', () => {
    setHelp(false)
    setProjects(false)
  })
  useShortcut('i', () => setImporting(true))
  useShortcut('s', () => setSynthesizing(true))
  useShortcut('p', () => setProjects(true))
  useShortcut(
    SCREENS.map((s) => s.key),
    (event) => {
      const target = SCREENS.find((s) => s.key === event.key)
      if (target) navigate({ screen: target.id })
    }
  )

  if (!connection.ok || !studio) {
    return (
      <main className="fatal" role="alert">
        <h1>Pixel Studio</h1>
        <p>{connection.ok ? 'Could not start.' : connection.reason}</p>
      </main>
    )
  }

  return (
    <StudioContext.Provider value={studio}>
      <div className="app" data-ready={project ? 'true' : 'false'}>
        <header className="topbar">
          <span className="brand">Pixel Studio</span>
          <button className="project ghost" data-testid="project-name" title={`${project?.path ?? ''} (p: switch project)`} onClick={() => setProjects(true)}>
            {project ? project.name : 'opening project...'}
          </button>
          <nav className="tabs" aria-label="Screens">
            {SCREENS.map((s) => (
              <button key={s.id} className={screen === s.id ? 'tab active' : 'tab'} onClick={() => navigate({ screen: s.id })} title={s.key}>
                {s.label}
              </button>
            ))}
          </nav>
          <span className="spacer" />
          <button className="ghost" onClick={() => setImporting(true)} title="Import samples or a benchmark (i)">
            Import
          </button>
          <button className="ghost" onClick={() => setSynthesizing(true)} title="Synthesize reasoning traces from annotated samples (s)">
            Synthesize
          </button>
          <button className="ghost" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">
            ?
          </button>
        </header>
        <ErrorBanner message={error} />
        {linkStatus === 'closed' && (
          <div className="banner error" role="alert">
            Lost the connection to the studio. Is `npm run serve` still running? Reload to reconnect.
          </div>
        )}
        {project && (
          <ErrorBoundary key={`${project.path}|${screen}`} name={screen} kind="page">
            {screen === 'samples' && <SampleBrowser project={project} onError={setError} />}
            {screen === 'traces' && <TraceScreen project={project} onError={setError} />}
            {screen === 'playground' && <Playground onError={setError} />}
            {screen === 'eval' && <EvalScreen project={project} onError={setError} />}
            {screen === 'training' && <TrainingScreen project={project} onError={setError} />}
            {screen === 'experiments' && <ExperimentScreen project={project} onError={setError} />}
          </ErrorBoundary>
        )}
        <StatusBar connection={connection.connection.kind} project={project} runtime={runtime} />
        {help && <HelpOverlay onClose={() => setHelp(false)} />}
        {projects && <ProjectDialog current={project} onClose={() => setProjects(false)} />}
        {importing && <ImportDialog onClose={() => setImporting(false)} />}
        {synthesizing && <SynthesizeDialog onClose={() => setSynthesizing(false)} />}
      </div>
    </StudioContext.Provider>
  )
}
