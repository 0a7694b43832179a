import { useEffect, useState } from 'react'
import { Panel } from '../../app/error-boundary'
import { ErrorBanner } from '../../app/widgets'
import type { InferenceStatus, ModelEntry, Sample, SampleSummary } from '../../../../shared/contract'
import { useStudio } from '../../app/studio-context'
import { ImageWithBoxes, type DrawnBox } from '../samples/ImageWithBoxes'
import { ModelPanel } from './ModelPanel'
import { usePlaygroundRun } from './usePlaygroundRun'

const STEP_COLORS = ['#ff6b6b', '#4dabf7', '#69db7c', '#ffa94d', '#da77f2', '#ffd43b']

export function Playground({ onError }: { onError: (message: string) => void }): React.JSX.Element {
  const { client, mediaUrl, navigate } = useStudio()
  const [samples, setSamples] = useState<SampleSummary[]>([])
  const [sampleId, setSampleId] = useState<string>('')
  const [sample, setSample] = useState<Sample | null>(null)
  const [status, setStatus] = useState<InferenceStatus | null>(null)
  const [models, setModels] = useState<ModelEntry[]>([])
  const [maxOperations, setMaxOperations] = useState(4)
  const live = usePlaygroundRun()

  useEffect(() => {
    client.call('samples.list', { limit: 500 }).then((page) => {
      setSamples(page.items)
      setSampleId((id) => id || page.items[0]?.id || '')
    }, (e: Error) => onError(e.message))
    client.call('inference.status', {}).then(setStatus, (e: Error) => onError(e.message))
    client.call('models.list', {}).then(setModels, (e: Error) => onError(e.message))
    return client.on('inference.changed', setStatus)
  }, [client, onError])

  useEffect(() => {
    if (!sampleId) return
    client.call('samples.get', { id: sampleId }).then(setSample, (e: Error) => onError(e.message))
  }, [client, sampleId, onError])

  // every crop taken from the original image, numbered in the order the model took them
  const boxes: DrawnBox[] = []
  let opNumber = 0
  for (const turn of live.turns) {
    for (const image of turn.observation?.images ?? []) {
      if (!image.crop || image.crop.targetImage !== 1) continue
      const c = image.crop
      boxes.push({ label: String(++opNumber), color: STEP_COLORS[opNumber % STEP_COLORS.length] ?? '#fff', bbox: [c.left / c.sourceWidth, c.top / c.sourceHeight, (c.left + c.width) / c.sourceWidth, (c.top + c.height) / c.sourceHeight] })
    }
  }
  const media = sample?.media[0]
  const canRun = Boolean(status?.loaded && sample && !live.running)

  return (
    <div className="playground">
      <aside className="pg-side">
        <Panel name="models">
          <ModelPanel models={models} setModels={setModels} status={status} onError={onError} />
        </Panel>
        <h3>Sample</h3>
        <select aria-label="Sample" value={sampleId} onChange={(e) => setSampleId(e.target.value)} disabled={live.running}>
          {samples.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id} · {s.question.split('\n')[0]}
            </option>
          ))}
        </select>
        <label className="check">
          max operations <input type="number" min={0} max={16} value={maxOperations} onChange={(e) => setMaxOperations(Number(e.target.value))} className="num" />
        </label>
        <div className="actions">
          <button disabled={!canRun} onClick={() => sample && void live.run(sample.id, { maxOperations })}>
            Run
          </button>
          {live.running && <button onClick={live.cancel}>Cancel</button>}
        </div>
        {!status?.loaded && <p className="muted">Load a model to run it.</p>}
      </aside>
      <section className="pg-stage">
        {sample && media && (
          <>
            <div className="question-full">{sample.question}</div>
            <ImageWithBoxes media={media} src={mediaUrl(media.hash)} boxes={boxes} alt={`${sample.id} image`} />
          </>
        )}
      </section>
      <section className="pg-transcript" aria-label="Model output">
        {live.turns.map((t) => (
          <div key={t.turn} className="turn">
            <div className="turn-label">assistant · turn {t.turn + 1}</div>
            <pre data-testid="turn-text">{t.text}</pre>
            {t.observation && (
              <div className={`observation ${t.observation.error ? 'error' : ''}`}>
                <div className="turn-label">observation</div>
                <pre>{t.observation.text.trim()}</pre>
                <div className="obs-images">
                  {t.observation.images.map((img, i) => (
                    <img key={i} data-testid="observation-image" src={mediaUrl(img.media.hash)} alt={img.frame ? `frame ${img.frame}` : 'crop'} title={`${img.media.width}x${img.media.height}`} />
                  ))}
                </div>
              </div>
            )}
          </div>
        ))}
        {live.result && (
          <div className="result" data-testid="run-result">
            answer <strong data-testid="run-answer">{live.result.answer ?? '(none)'}</strong> · gold <strong>{live.result.gold}</strong>{' '}
            <span className={live.result.matchesGold ? 'ok' : 'bad'}>{live.result.matchesGold ? 'match' : 'no match'}</span>
            <div className="muted">
              stop: {live.result.stop} · {live.result.operations} operations · {live.result.generatedTokens} tokens · {live.result.ms.toFixed(0)} ms on {live.result.provider.toUpperCase()}
            </div>
            <div className="actions">
              <button onClick={() => live.result && navigate({ screen: 'traces', traceId: live.result.traceId })} title="The run is stored as a trace: open it in Review to read it, or edit a copy to keep as training data">
                Open in Review
              </button>
            </div>
          </div>
        )}
        <ErrorBanner message={live.error} />
      </section>
    </div>
  )
}
