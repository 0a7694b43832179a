import { useEffect, useState } from 'react'
import { Dialog, ErrorBanner, JobActions } from '../../app/widgets'
import type { ExportFormat, Snapshot, SnapshotExportResult } from '../../../../shared/contract'
import { CROP_TOOL_NAMES, type CropToolName } from '../../../../shared/toolcall/steps'
import { useStudio } from '../../app/studio-context'
import { useJob } from '../../app/use-job'

const FORMATS: Array<[ExportFormat, string]> = [
  ['trl', 'TRL conversational JSONL'],
  ['llamafactory', 'LLaMA-Factory ShareGPT (+ dataset_info.json)'],
  ['pixelreasoner', 'Pixel-Reasoner SFT JSON (message_list)'],
  ['verl', 'verl RL parquet (queries, no steps)']
]

/**
 * Export one dataset snapshot to trainer files: format, target folder, crop tool name; a job with
 * progress and Cancel (a cancelled export leaves nothing behind); the files written at the end.
 */
export function ExportDialog({ snapshotId, onClose }: { snapshotId: string; onClose: () => void }): React.JSX.Element {
  const { client } = useStudio()
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null)
  const [format, setFormat] = useState<ExportFormat>('trl')
  const [outDir, setOutDir] = useState('')
  const [cropToolName, setCropToolName] = useState<CropToolName>('crop_image_normalized')
  const [llamaFactoryMode, setLlamaFactoryMode] = useState<'text' | 'tools'>('text')
  // trl and pixelreasoner trainers open media paths as given: absolute unless asked otherwise
  const [relativePaths, setRelativePaths] = useState(false)
  const [result, setResult] = useState<SnapshotExportResult | null>(null)
  const { busy, progress, error, setError, run, cancel } = useJob()

  useEffect(() => {
    client.call('snapshots.get', { id: snapshotId }).then(setSnapshot, (e: Error) => setError(e.message))
  }, [client, snapshotId, setError])

  const verlToolInvalid = format === 'verl' && cropToolName === 'zoom_in'

  const start = (): Promise<void> =>
    run(async (options) => {
      setResult(null)
      setResult(await client.call('snapshots.export', { snapshotId, format, outDir, cropToolName, ...(format === 'llamafactory' ? { llamaFactoryMode } : {}), ...(relativePaths && format !== 'verl' ? { mediaPaths: 'relative' as const } : {}) }, options))
    })

  return (
    <Dialog label="Export snapshot" title="Export snapshot" busy={busy} onClose={onClose}>
      {snapshot && (
        <p className="muted" data-testid="export-snapshot">
          <strong>{snapshot.name}</strong> · {snapshot.traceCount} traces · <code title={snapshot.hash}>{snapshot.hash.slice(0, 12)}</code>
        </p>
      )}
      <select aria-label="Format" value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)} disabled={busy}>
        {FORMATS.map(([f, label]) => (
          <option key={f} value={f}>
            {label}
          </option>
        ))}
      </select>
      <input aria-label="Export folder" placeholder="/path/to/new/folder (new or empty)" value={outDir} onChange={(e) => setOutDir(e.target.value)} disabled={busy} spellCheck={false} />
      <label>
        Crop tool name{' '}
        <select aria-label="Crop tool name" value={cropToolName} onChange={(e) => setCropToolName(e.target.value as CropToolName)} disabled={busy}>
          {CROP_TOOL_NAMES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      {format === 'llamafactory' && (
        <label>
          Tool calls as{' '}
          <select aria-label="LLaMA-Factory mode" value={llamaFactoryMode} onChange={(e) => setLlamaFactoryMode(e.target.value as 'text' | 'tools')} disabled={busy}>
            <option value="text">&lt;tool_call&gt; text (the exact chat)</option>
            <option value="tools">function_call / observation turns</option>
          </select>
        </label>
      )}
      {(format === 'trl' || format === 'pixelreasoner') && (
        <label>
          <input type="checkbox" checked={relativePaths} onChange={(e) => setRelativePaths(e.target.checked)} disabled={busy} /> media paths relative to the folder (default: absolute, as the trainer opens them)
        </label>
      )}
      {verlToolInvalid && <p className="muted">verl names the crop tool crop_image_normalized or crop_image.</p>}
      <JobActions label="Export" canStart={Boolean(outDir && snapshot) && !verlToolInvalid} busy={busy} progress={progress} onStart={() => void start()} onCancel={cancel} onClose={onClose} />
      {result && (
        <div data-testid="export-result">
          <p>
            <strong>{result.records}</strong> {result.format === 'verl' ? 'queries' : 'traces'} · {result.images} images written to <code>{result.outDir}</code>
          </p>
          <ul className="skipped">
            {result.files.map((f) => (
              <li key={f}>
                <code>{f}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      <ErrorBanner message={error} />
    </Dialog>
  )
}
