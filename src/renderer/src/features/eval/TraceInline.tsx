import { useEffect, useState } from 'react'
import type { Sample, StoredTrace } from '../../../../shared/contract'
import { observationMedia, type Step } from '../../../../shared/toolcall'
import { cropPlacements } from '../../../../shared/traces/crop-placements'
import { useStudio } from '../../app/studio-context'
import { ErrorBanner } from '../../app/widgets'
import { ImageWithBoxes, type DrawnBox } from '../samples/ImageWithBoxes'

const COLORS = ['#ff6b6b', '#4dabf7', '#69db7c', '#ffa94d', '#da77f2', '#ffd43b']

/** The trace's zooms drawn on the sample's media, keyed by media index (shared crop-placements rule). */
function cropBoxes(sample: Sample, steps: readonly Step[]): Map<number, DrawnBox[]> {
  const boxes = new Map<number, DrawnBox[]>()
  for (const p of cropPlacements(sample, steps)) {
    const list = boxes.get(p.mediaIndex) ?? []
    list.push({ bbox: [...p.region], color: COLORS[(p.crop - 1) % COLORS.length] ?? '#fff', label: String(p.crop), testId: 'trace-box' })
    boxes.set(p.mediaIndex, list)
  }
  return boxes
}

function StepView({ step, index }: { step: Step; index: number }): React.JSX.Element {
  const { mediaUrl } = useStudio()
  switch (step.kind) {
    case 'thought':
      return <pre className="ev-thought">{step.text}</pre>
    case 'answer':
      return (
        <div className="ev-answer">
          <pre>{step.text}</pre>
          <div>
            answer: <strong data-testid="trace-answer">{step.boxed ?? '(nothing boxed)'}</strong>
          </div>
        </div>
      )
    case 'crop':
      return (
        <div className="ev-call" data-testid="trace-call">
          crop_image · image {step.targetImage} · [{step.bbox.map((v) => +v.toFixed(3)).join(', ')}]{step.bboxUnits === 'pixels' ? ' px' : ''}
        </div>
      )
    case 'select_frames':
      return (
        <div className="ev-call" data-testid="trace-call">
          select_frames · [{step.frames.join(', ')}]
        </div>
      )
    case 'error':
      return (
        <div className="ev-error">
          call not run ({step.code}): {step.message}
          <pre>{step.rawText}</pre>
        </div>
      )
    case 'observation': {
      const r = step.result
      if (r.type === 'error') return <div className="ev-error">execution error{r.code ? ` (${r.code})` : ''}: {r.message}</div>
      const images = observationMedia(r) ?? []
      return (
        <div className="obs-images">
          {images.map((hash, i) => (
            <img key={`${index}-${i}`} data-testid="trace-observation-image" src={mediaUrl(hash)} alt={r.type === 'crop' ? 'crop' : `frame ${r.first + i}`} title={`${r.width}x${r.height}`} />
          ))}
        </div>
      )
    }
  }
}

/** A stored trace drawn where it is listed: boxes on the image, frames picked, every step. */
export function TraceInline({ traceId }: { traceId: string }): React.JSX.Element {
  const { client, mediaUrl, navigate } = useStudio()
  const [trace, setTrace] = useState<StoredTrace | null>(null)
  const [sample, setSample] = useState<Sample | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    setError(null)
    client
      .call('traces.get', { id: traceId })
      .then(async (t) => {
        const s = await client.call('samples.get', { id: t.sampleId })
        if (live) {
          setTrace(t)
          setSample(s)
        }
      })
      .catch((e: Error) => live && setError(e.message))
    return () => {
      live = false
    }
  }, [client, traceId])

  if (error) return <ErrorBanner message={error} />
  if (!trace || !sample || trace.id !== traceId) return <div className="muted small">loading trace…</div>
  const picked = new Set(trace.steps.flatMap((s) => (s.kind === 'select_frames' ? s.frames.map((f) => f - 1) : [])))
  const boxes = cropBoxes(sample, trace.steps)
  // an image sample shows its image; a video the first frame it zoomed into, else the first picked
  const shown = sample.kind === 'image' ? 0 : ([...boxes.keys()][0] ?? [...picked][0] ?? 0)
  const main = sample.media[shown]
  return (
    <div className="ev-trace" data-testid="trace-inline" data-trace-id={trace.id}>
      <div className="ev-trace-head">
        <span>
          answer <strong>{trace.answer ?? '(none)'}</strong> · gold <strong>{trace.gold}</strong> · {trace.operations} operations · {trace.flags.join(' ')}
        </span>
        <span className="spacer" />
        <div className="actions">
          <button onClick={() => navigate({ screen: 'traces', traceId: trace.id })} title="Open this trace in Review: read it, or edit a copy to keep as training data">
            Open in Review
          </button>
        </div>
      </div>
      {trace.warnings.length > 0 && <div className="small muted">{trace.warnings.map((w) => w.message).join(' · ')}</div>}
      <div className="ev-trace-body">
        <div className="ev-trace-media">
          {main && <ImageWithBoxes media={main} src={mediaUrl(main.hash)} boxes={boxes.get(shown) ?? []} alt={`${sample.id} ${sample.kind === 'video' ? `frame ${shown + 1}` : 'image'}`} />}
          {sample.kind === 'video' && (
            <div className="frame-strip" aria-label="Frames picked">
              {sample.media.map((m, i) => (
                <div key={i} className={`frame ${picked.has(i) ? 'key' : ''}`} data-testid={picked.has(i) ? 'picked-frame' : undefined}>
                  <img src={mediaUrl(m.hash)} alt="" />
                  <span>{i + 1}</span>
                </div>
              ))}
            </div>
          )}
        </div>
        <div className="ev-steps">
          <div className="question-full">{trace.question}</div>
          {trace.steps.map((s, i) => (
            <StepView key={i} step={s} index={i} />
          ))}
        </div>
      </div>
    </div>
  )
}
