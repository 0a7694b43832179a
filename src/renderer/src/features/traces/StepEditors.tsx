// The body of each step card: text editors for thoughts and the answer, a crop's target, box and
// live preview beside the crop the server saved, a frame selection and what it returned.
import type { TraceWarning } from '../../../../shared/traces/checks'
import { toNormalized, type Bbox } from '../../../../shared/pixel-ops'
import { observationMedia, type AnswerStep, type CropStep, type ErrorStep, type ObservationResult, type SelectFramesStep, type ThoughtStep } from '../../../../shared/toolcall/steps'
import { useStudio } from '../../app/studio-context'
import { CropPreview } from './CropPreview'
import { setTarget, setText } from './step-edits'
import type { StepEdit } from './use-trace-editor'
import type { TraceImages } from './trace-media'

export interface StepEditorProps {
  index: number
  readOnly: boolean
  onPreview: (edit: StepEdit) => void
  onCommit: (label: string) => void
}

/** A thought's or the answer's text: shown as typed, written when the field is left. */
export function TextStepEditor(props: StepEditorProps & { step: ThoughtStep | AnswerStep; gold: string }): React.JSX.Element {
  const { step, index, readOnly, onPreview, onCommit, gold } = props
  const lines = step.text.split('\n').length
  return (
    <>
      <textarea
        className="step-text"
        aria-label={step.kind === 'answer' ? 'Answer text' : `Thought ${index + 1}`}
        value={step.text}
        readOnly={readOnly}
        rows={Math.min(Math.max(lines, 2), 14)}
        onChange={(e) => {
          const text = e.target.value
          onPreview((steps) => setText(steps, index, text))
        }}
        onBlur={() => onCommit(step.kind === 'answer' ? 'edit answer' : `edit thought ${index + 1}`)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) {
            e.preventDefault()
            e.stopPropagation()
            e.currentTarget.blur()
          }
        }}
      />
      {step.kind === 'answer' && (
        <div className="answer-line">
          boxed <strong data-testid="answer-boxed">{step.boxed ?? '(none)'}</strong> · gold <strong>{gold}</strong>
        </div>
      )}
    </>
  )
}

function ObservationView({ result }: { result: ObservationResult | null }): React.JSX.Element {
  const { mediaUrl } = useStudio()
  if (!result) return <div className="muted small">result computed on save…</div>
  if (result.type === 'error') return <div className="bad small" data-testid="observation-error">Execution error: {result.message}</div>
  const images = observationMedia(result)
  if (images === null) {
    // a trace that stores only its boxes (synthesized): the editor asks for the pixels once it is open
    return (
      <div className="muted small" data-testid="derived-observation">
        {result.type === 'crop' ? 'crop' : 'frames'} {result.width}×{result.height}, rendering…
      </div>
    )
  }
  return (
    <figure className="observation-images">
      {images.map((hash, k) => (
        <img key={`${hash}-${k}`} src={mediaUrl(hash)} alt={result.type === 'crop' ? 'saved crop' : `returned frame ${k + 1}`} data-testid={result.type === 'crop' ? 'saved-crop' : 'returned-frame'} data-hash={hash} />
      ))}
      <figcaption className="muted">
        saved {result.type === 'crop' ? 'crop' : `${images.length} frames`} {result.width}×{result.height}
      </figcaption>
    </figure>
  )
}

export function CropStepEditor(props: StepEditorProps & { step: CropStep; images: TraceImages; result: ObservationResult | null }): React.JSX.Element {
  const { step, index, readOnly, images, result, onPreview, onCommit } = props
  const target = images.targets.get(index)
  const choices = images.choices.get(index) ?? []
  const shown = target?.ok ? toNormalized(step.bbox as Bbox, target.image.view) : (step.bbox as Bbox)
  return (
    <div className="call-body">
      <div className="call-args">
        <label>
          target image{' '}
          <select
            aria-label="Target image"
            value={step.targetImage}
            disabled={readOnly}
            onChange={(e) => {
              const target = Number(e.target.value)
              onPreview((steps) => setTarget(steps, index, target))
              onCommit(`retarget crop to image ${target}`)
            }}
          >
            {!choices.some((c) => c.target === step.targetImage) && <option value={step.targetImage}>{step.targetImage} (out of range)</option>}
            {choices.map((c) => (
              <option key={c.target} value={c.target}>
                {c.target}: {c.image.label}
              </option>
            ))}
          </select>
        </label>
        <code className="bbox" data-testid="step-bbox">
          [{shown.map((v) => v.toFixed(3)).join(', ')}]
        </code>
        {!target?.ok && target && <div className="bad small">{target.message}</div>}
      </div>
      <div className="crop-pair">
        {!readOnly && <CropPreview image={target?.ok ? target.image : null} bbox={step.bbox as Bbox} />}
        <ObservationView result={result} />
      </div>
    </div>
  )
}

export function FramesStepEditor({ step, result }: { step: SelectFramesStep; result: ObservationResult | null }): React.JSX.Element {
  return (
    <div className="call-body">
      <div className="call-args">
        frames <code data-testid="step-frames">{step.frames.join(', ') || '(none)'}</code>
      </div>
      <ObservationView result={result} />
    </div>
  )
}

export function ErrorStepView({ step }: { step: ErrorStep }): React.JSX.Element {
  return (
    <div className="call-body">
      <div className="bad small">
        {step.code}: {step.message}
      </div>
      <pre className="raw">{step.rawText}</pre>
    </div>
  )
}

export function WarningList({ warnings }: { warnings: TraceWarning[] }): React.JSX.Element | null {
  if (warnings.length === 0) return null
  return (
    <ul className="warnings" aria-label="Warnings">
      {warnings.map((w, k) => (
        <li key={k} data-code={w.code} data-testid="warning">
          ⚠ {w.message}
        </li>
      ))}
    </ul>
  )
}
