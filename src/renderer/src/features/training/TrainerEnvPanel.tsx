// The managed trainer environment on the Train page: what is installed (or why nothing is), and
// one button that runs `trainer setup` as a job, its pip progress shown, cancellable.
import { useRef, useState } from 'react'
import type { TrainingEnvironment } from '../../../../shared/contract'
import { useStudio } from '../../app/studio-context'
import { ErrorBanner } from '../../app/widgets'

export function TrainerEnvPanel({ env, onChanged }: { env: TrainingEnvironment; onChanged: () => void }): React.JSX.Element {
  const { client } = useStudio()
  const [progress, setProgress] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const abort = useRef<AbortController | null>(null)
  const managed = env.managed
  const versions = ['torch', 'transformers', 'trl'].map((k) => `${k} ${managed.versions[k] ?? '-'}`).join(' · ')

  const setup = async (): Promise<void> => {
    const controller = new AbortController()
    abort.current = controller
    setError(null)
    setProgress('starting…')
    try {
      await client.call('trainer.setup', {}, { signal: controller.signal, onProgress: (p) => setProgress(p.message ?? `${p.done} ${p.unit}`) })
      onChanged()
    } catch (e) {
      setError((e as Error).message)
    } finally {
      abort.current = null
      setProgress(null)
    }
  }

  return (
    <div className="trainer-env small" data-testid="trainer-env" data-complete={managed.complete}>
      {env.pythonSource === 'env' ? (
        <span className="muted" title={env.python.path}>
          trainer Python: PIXEL_STUDIO_PYTHON ({env.python.path})
        </span>
      ) : managed.complete ? (
        <span className="muted" title={managed.dir}>
          trainer environment ({managed.torchVariant} torch): {versions}
        </span>
      ) : (
        <span className="warn">{managed.problem}</span>
      )}
      {progress === null ? (
        <button onClick={() => void setup()} title={`${managed.setupCommand}: a virtualenv in ${managed.dir} with the pinned TRL stack`}>
          {managed.complete ? 'Update trainer environment' : 'Set up trainer environment'}
        </button>
      ) : (
        <>
          <span className="muted" data-testid="trainer-env-progress">
            {progress}
          </span>
          <button onClick={() => abort.current?.abort()}>Cancel setup</button>
        </>
      )}
      <ErrorBanner message={error} />
    </div>
  )
}
