import { useState } from 'react'
import { ErrorBanner } from '../../app/widgets'
import type { InferenceStatus, ModelEntry } from '../../../../shared/contract'
import { useStudio } from '../../app/studio-context'

function size(bytes: number): string {
  return bytes > 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`
}

/** What a model is, in the picker: its format and size, or the URL that answers for it. */
function describe(m: ModelEntry): string {
  if (m.kind === 'endpoint') return `${m.name} · endpoint ${m.endpoint?.model ?? ''} @ ${m.path}`
  return `${m.name} · ${m.kind === 'checkpoint' ? 'checkpoint · ' : ''}${m.dtype} · ${size(m.totalBytes)}`
}

/** Register (ONNX folder, PyTorch checkpoint, OpenAI-compatible endpoint), create (demo), load and unload models; shows the provider and why. */
export function ModelPanel(props: { models: ModelEntry[]; setModels: (m: ModelEntry[]) => void; status: InferenceStatus | null; onError: (m: string) => void }): React.JSX.Element {
  const { client } = useStudio()
  const { models, setModels, status } = props
  const [selected, setSelected] = useState('')
  const [device, setDevice] = useState<'auto' | 'cpu' | 'cuda'>('auto')
  const [path, setPath] = useState('')
  const [endpoint, setEndpoint] = useState({ baseUrl: '', model: '' })
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const modelId = selected || models[0]?.id || ''

  const act = async (label: string, work: () => Promise<unknown>): Promise<void> => {
    setBusy(label)
    setError(null)
    try {
      await work()
      setModels(await client.call('models.list', {}))
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(null)
    }
  }

  return (
    <div className="model-panel">
      <h3>Model</h3>
      <select aria-label="Model" value={modelId} onChange={(e) => setSelected(e.target.value)}>
        {models.length === 0 && <option value="">no models yet</option>}
        {models.map((m) => (
          <option key={m.id} value={m.id} disabled={m.problem !== null}>
            {describe(m)}
            {m.problem ? ' (broken)' : ''}
          </option>
        ))}
      </select>
      <div className="actions">
        <select aria-label="Device" value={device} onChange={(e) => setDevice(e.target.value as typeof device)}>
          <option value="auto">auto</option>
          <option value="cpu">CPU</option>
          <option value="cuda">CUDA</option>
        </select>
        <button disabled={!modelId || busy !== null} onClick={() => void act('loading', () => client.call('inference.load', { modelId, device }))}>
          {busy === 'loading' ? 'Loading…' : 'Load'}
        </button>
        <button disabled={!status?.loaded || busy !== null} onClick={() => void act('unloading', () => client.call('inference.unload', {}))}>
          Unload
        </button>
      </div>
      {status?.loaded && (
        <div className="loaded" data-testid="loaded-model" title={status.loaded.provider.reason}>
          loaded: {status.loaded.name} on <strong>{status.loaded.provider.active.toUpperCase()}</strong>
          {status.loaded.provider.fallback ? ' (fallback)' : ''}
          <div className="muted small">{status.loaded.provider.reason}</div>
        </div>
      )}
      <input aria-label="Model folder" placeholder="/path/to/model folder" value={path} onChange={(e) => setPath(e.target.value)} spellCheck={false} />
      <div className="actions">
        <button disabled={!path || busy !== null} onClick={() => void act('adding', () => client.call('models.add', { path }))}>
          Add folder
        </button>
        <button disabled={!path || busy !== null} onClick={() => void act('adding', () => client.call('models.addCheckpoint', { path }))} title="A PyTorch Qwen2-VL / Qwen2.5-VL checkpoint (or a LoRA adapter, or a training run's folder): the studio serves it with serve_checkpoint.py when loaded">
          Add checkpoint
        </button>
        <button disabled={!path || busy !== null} onClick={() => void act('creating', () => client.call('models.createDemo', { path, script: 'cropThenAnswer' }))} title="A tiny scripted model that always zooms into the centre, then answers B. For trying the studio without weights.">
          Create demo model
        </button>
      </div>
      <input aria-label="Endpoint URL" placeholder="http://127.0.0.1:8000/v1 (vLLM, SGLang)" value={endpoint.baseUrl} onChange={(e) => setEndpoint({ ...endpoint, baseUrl: e.target.value })} spellCheck={false} />
      <div className="actions">
        <input aria-label="Endpoint model" placeholder="served model id" value={endpoint.model} onChange={(e) => setEndpoint({ ...endpoint, model: e.target.value })} spellCheck={false} />
        <button
          disabled={!endpoint.baseUrl || !endpoint.model || busy !== null}
          onClick={() => void act('adding', () => client.call('models.addEndpoint', { name: `${endpoint.model} (endpoint)`, baseUrl: endpoint.baseUrl, model: endpoint.model }))}
          title="An OpenAI-compatible chat endpoint writes the turns; the studio runs the crops"
        >
          Add endpoint
        </button>
      </div>
      <ErrorBanner message={error} />
    </div>
  )
}
