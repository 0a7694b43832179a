// Launch a run: a snapshot, a backend and algorithm, the few hyperparameters people change, and
// for GRPO the reward settings, prefilled with the paper's defaults. The studio refuses what
// cannot work (no accepted traces, no torch) before anything is queued; the error shows here.
import { useEffect, useState } from 'react'
import type { Snapshot, TrainingAlgorithm, TrainingBackend, TrainingEnvironment, TrainingRun } from '../../../../shared/contract'
import { defaultLearningRate, PAPER_GRPO, PAPER_REWARD } from '../../../../shared/training/defaults'
import { useStudio } from '../../app/studio-context'
import { TrainerEnvPanel } from './TrainerEnvPanel'
import { ErrorBanner } from '../../app/widgets'

interface Form {
  snapshotId: string
  backend: TrainingBackend
  algorithm: TrainingAlgorithm
  title: string
  modelPath: string
  learningRate: string
  epochs: string
  maxSteps: string
  batchSize: string
  loraRank: string
  device: 'auto' | 'cpu' | 'cuda'
  groupSize: string
  maxOperations: string
  formula: 'paper' | 'released'
  alpha: string
  beta: string
  targetRapr: string
  freeOperations: string
  curiosity: boolean
}

const initial: Form = {
  snapshotId: '',
  backend: 'trl',
  algorithm: 'sft',
  title: '',
  modelPath: '',
  learningRate: String(defaultLearningRate('sft', true)),
  epochs: '1',
  maxSteps: '0',
  batchSize: '1',
  loraRank: '0',
  device: 'auto',
  groupSize: String(PAPER_GRPO.groupSize),
  maxOperations: String(PAPER_GRPO.maxOperations),
  formula: PAPER_REWARD.formula,
  alpha: String(PAPER_REWARD.alpha),
  beta: String(PAPER_REWARD.beta),
  targetRapr: String(PAPER_REWARD.targetRapr),
  freeOperations: String(PAPER_REWARD.freeOperations),
  curiosity: true
}

function Field(props: { label: string; value: string; onChange: (v: string) => void; title?: string; wide?: boolean }): React.JSX.Element {
  return (
    <label className={props.wide ? 'field wide' : 'field'} title={props.title}>
      <span>{props.label}</span>
      <input aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.target.value)} spellCheck={false} />
    </label>
  )
}

export function LaunchForm({ onLaunched }: { onLaunched: (run: TrainingRun) => void }): React.JSX.Element {
  const { client } = useStudio()
  const [form, setForm] = useState<Form>(initial)
  const [snapshots, setSnapshots] = useState<Snapshot[]>([])
  const [env, setEnv] = useState<TrainingEnvironment | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const set = <K extends keyof Form>(key: K, value: Form[K]): void => setForm((f) => ({ ...f, [key]: value }))

  useEffect(() => {
    client.call('snapshots.list', {}).then((s) => {
      setSnapshots(s)
      setForm((f) => (f.snapshotId || !s[0] ? f : { ...f, snapshotId: s[0].id }))
    }, (e: Error) => setError(e.message))
    client.call('training.gpu', {}).then(setEnv, (e: Error) => setError(e.message))
  }, [client])
  const refreshEnv = (): void => void client.call('training.gpu', {}).then(setEnv, (e: Error) => setError(e.message))

  const choose = (backend: TrainingBackend, algorithm: TrainingAlgorithm): void =>
    setForm((f) => ({ ...f, backend, algorithm, learningRate: String(defaultLearningRate(algorithm, !f.modelPath.trim())) }))

  const launch = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      const n = (v: string): number => Number(v)
      const run = await client.call('training.start', {
        snapshotId: form.snapshotId,
        backend: form.backend,
        algorithm: form.algorithm,
        ...(form.title.trim() ? { title: form.title.trim() } : {}),
        baseModel: form.modelPath.trim() ? { kind: 'path', path: form.modelPath.trim() } : { kind: 'tiny-init', seed: 0 },
        hyper: { learningRate: n(form.learningRate), epochs: n(form.epochs), maxSteps: n(form.maxSteps), batchSize: n(form.batchSize), loraRank: n(form.loraRank) },
        ...(form.algorithm === 'grpo'
          ? {
              grpo: {
                ...PAPER_GRPO,
                groupSize: n(form.groupSize),
                maxOperations: n(form.maxOperations),
                reward: { formula: form.formula, alpha: n(form.alpha), beta: n(form.beta), targetRapr: n(form.targetRapr), freeOperations: n(form.freeOperations), curiosity: form.curiosity }
              }
            }
          : {}),
        hardware: { device: form.device }
      })
      onLaunched(run)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(false)
    }
  }

  const snapshot = snapshots.find((s) => s.id === form.snapshotId)
  return (
    <section className="launch" aria-label="Launch a run">
      <h3>New run</h3>
      {env && (
        <div className="machine muted small" data-testid="training-machine" title={env.advice.join('\n')}>
          {env.gpu.available ? env.gpu.description : 'no GPU'} · torch {env.python.torch ?? 'missing'}
          {env.advice.length > 0 && <span className="warn"> · {env.advice.length} note{env.advice.length > 1 ? 's' : ''}</span>}
        </div>
      )}
      {env && <TrainerEnvPanel env={env} onChanged={refreshEnv} />}
      <label className="field wide">
        <span>Snapshot</span>
        <select aria-label="Snapshot" value={form.snapshotId} onChange={(e) => set('snapshotId', e.target.value)}>
          {snapshots.length === 0 && <option value="">no snapshots: make one in Review</option>}
          {snapshots.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} · {s.traceCount} traces · {s.hash.slice(0, 8)}
            </option>
          ))}
        </select>
      </label>
      {snapshot && snapshot.usedBy.length > 0 && <div className="muted small">used by {snapshot.usedBy.length} run(s)</div>}
      <div className="row">
        <label className="field">
          <span>Backend</span>
          <select aria-label="Backend" value={form.backend} onChange={(e) => choose(e.target.value as TrainingBackend, form.algorithm)}>
            <option value="trl">TRL (workstation)</option>
            <option value="verl">verl (Ray cluster)</option>
          </select>
        </label>
        <label className="field">
          <span>Algorithm</span>
          <select aria-label="Algorithm" value={form.algorithm} onChange={(e) => choose(form.backend, e.target.value as TrainingAlgorithm)}>
            <option value="sft">SFT</option>
            <option value="grpo">GRPO + curiosity</option>
          </select>
        </label>
      </div>
      <Field wide label="Base model folder" value={form.modelPath} onChange={(v) => set('modelPath', v)} title="empty: a fresh tiny Qwen2.5-VL (TRL; trains on the CPU)" />
      <Field wide label="Title" value={form.title} onChange={(v) => set('title', v)} />
      <div className="row">
        <Field label="Learning rate" value={form.learningRate} onChange={(v) => set('learningRate', v)} />
        <Field label="Epochs" value={form.epochs} onChange={(v) => set('epochs', v)} />
        <Field label="Max steps" value={form.maxSteps} onChange={(v) => set('maxSteps', v)} title="0: run the epochs" />
      </div>
      <div className="row">
        <Field label="Batch size" value={form.batchSize} onChange={(v) => set('batchSize', v)} />
        <Field label="LoRA rank" value={form.loraRank} onChange={(v) => set('loraRank', v)} title="0: full fine-tuning" />
        <label className="field">
          <span>Device</span>
          <select aria-label="Device" value={form.device} onChange={(e) => set('device', e.target.value as Form['device'])}>
            <option value="auto">auto</option>
            <option value="cpu">CPU</option>
            <option value="cuda">CUDA</option>
          </select>
        </label>
      </div>
      {form.algorithm === 'grpo' && (
        <fieldset className="reward">
          <legend>GRPO and reward (paper defaults)</legend>
          <div className="row">
            <Field label="Group size" value={form.groupSize} onChange={(v) => set('groupSize', v)} title="rollouts per query (RaPR is computed over them)" />
            <Field label="Max operations" value={form.maxOperations} onChange={(v) => set('maxOperations', v)} />
            <label className="field">
              <span>Formula</span>
              <select aria-label="Reward formula" value={form.formula} onChange={(e) => set('formula', e.target.value as Form['formula'])}>
                <option value="paper">paper</option>
                <option value="released">released code</option>
              </select>
            </label>
          </div>
          <div className="row">
            <Field label="alpha" value={form.alpha} onChange={(v) => set('alpha', v)} title="curiosity bonus weight" />
            <Field label="beta" value={form.beta} onChange={(v) => set('beta', v)} title="operation penalty weight" />
            <Field label="H (target RaPR)" value={form.targetRapr} onChange={(v) => set('targetRapr', v)} />
            <Field label="N (free ops)" value={form.freeOperations} onChange={(v) => set('freeOperations', v)} />
          </div>
          <label className="check">
            <input type="checkbox" checked={form.curiosity} onChange={(e) => set('curiosity', e.target.checked)} /> curiosity bonus
          </label>
        </fieldset>
      )}
      <div className="actions">
        <button disabled={busy || !form.snapshotId} onClick={() => void launch()}>
          {busy ? 'Checking…' : 'Queue run'}
        </button>
      </div>
      <ErrorBanner message={error} />
    </section>
  )
}
