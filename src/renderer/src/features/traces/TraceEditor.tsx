// One trace, edited as one trajectory: the image (or video frames) large with every crop drawn
// on the image it cuts, the steps beside it, warnings computed live on the draft. Traces from a
// model (inference, RL rollouts) open read-only: the model's reasoning as it ran, with a way to
// keep a corrected copy.
import { useEffect, useMemo, useState } from 'react'
import type { StoredTrace, TraceStatus } from '../../../../shared/contract'
import { pixelDecimals, toNormalized } from '../../../../shared/pixel-ops'
import { traceWarnings } from '../../../../shared/traces/checks'
import { isCallStep } from '../../../../shared/toolcall/steps'
import { useStudio } from '../../app/studio-context'
import { Panel } from '../../app/error-boundary'
import { ErrorBanner } from '../../app/widgets'
import { BoxFields } from './BoxFields'
import type { DrawnBox } from './BoxLayer'
import { EditorCanvas } from './EditorCanvas'
import { FrameStrip, type FrameMark } from './FrameStrip'
import { ImageTabs } from './ImageTabs'
import { ReviewBar, type HistoryInfo } from './ReviewBar'
import type { ReviewScope } from './review-scope'
import { useReviewKeys } from './review-keys'
import { SamplePanel } from './SamplePanel'
import { setBox } from './step-edits'
import { StepList } from './StepList'
import { useStore } from './store'
import { operationColor, operationNumbers, traceImages } from './trace-media'
import { TraceDiff } from './TraceDiff'
import { useStepCommands } from './use-step-commands'
import { useTraceEditor } from './use-trace-editor'

/** Origins whose steps are a model's own output: shown as it ran, never edited in place. */
export const MODEL_ORIGINS: ReadonlySet<StoredTrace['origin']> = new Set(['inference', 'rollout'])

const STATUS_LABELS: Record<TraceStatus, string> = { accepted: 'accept', rejected: 'reject', needs_fix: 'needs fix', unreviewed: 'mark unreviewed' }

export function TraceEditor(props: {
  scope: ReviewScope
  traceId: string
  history: HistoryInfo
  onAdvance: () => void
  onUndo: () => void
  onRedo: () => void
}): React.JSX.Element {
  const { scope, traceId } = props
  const { navigate } = useStudio()
  const editor = useTraceEditor(scope, traceId)
  const { panel } = useStore(scope.place)
  const [selected, setSelected] = useState<number | null>(null)
  const [shown, setShown] = useState('o0')
  const [copying, setCopying] = useState<string | null>(null)
  const { trace, sample, steps } = editor
  const readOnly = trace ? MODEL_ORIGINS.has(trace.origin) : true

  const images = useMemo(() => (sample ? traceImages(sample, steps) : null), [sample, steps])
  const ops = useMemo(() => operationNumbers(steps), [steps])
  const warnings = useMemo(() => (trace ? traceWarnings(steps, { gold: trace.gold }) : []), [steps, trace])
  const all = images ? [...images.originals, ...images.returned] : []
  const image = all.find((i) => i.key === shown) ?? all[0]
  const video = sample?.kind === 'video'

  const select = (index: number | null): void => {
    setSelected(index)
    const target = index !== null ? images?.targets.get(index) : undefined
    if (target?.ok) setShown(target.image.key)
  }

  // keep the selected step's card in view (keys [ ] and inserts move the selection)
  useEffect(() => {
    if (selected !== null) document.querySelector(`[data-step-index="${selected}"]`)?.scrollIntoView({ block: 'nearest' })
  }, [selected])

  const commands = useStepCommands({ editor, images, sample, selected, shown, readOnly, select, setShown })

  const setStatus = (status: TraceStatus): void => {
    if (!trace) return
    editor.setStatus(status, STATUS_LABELS[status])
    props.onAdvance()
  }

  const copy = (): void => {
    if (!trace || copying) return
    setCopying('Creating a copy…')
    const detail = trace.originDetail
    scope.client
      .call('traces.create', {
        sampleId: trace.sampleId,
        origin: 'human',
        originDetail: { ...detail, settings: { ...detail.settings, copiedFrom: trace.id, copiedFromOrigin: trace.origin } },
        question: trace.question,
        steps,
        flags: trace.flags
      })
      .then(
        (created) => navigate({ screen: 'traces', traceId: created.id }),
        (e: Error) => setCopying(`Could not copy: ${e.message}`)
      )
  }

  useReviewKeys({
    accept: () => setStatus('accepted'),
    reject: () => setStatus('rejected'),
    needsFix: () => setStatus('needs_fix'),
    diff: () => scope.place.set((p) => ({ ...p, panel: p.panel === 'diff' ? 'steps' : 'diff' })),
    ...(readOnly ? { copy } : commands.keys)
  })

  if (editor.error) return <ErrorBanner message={editor.error} />
  if (!trace || !sample || !images || !image) return <div className="muted pad">Loading the trace…</div>

  const boxes: DrawnBox[] = []
  steps.forEach((s, i) => {
    const target = images.targets.get(i)
    if (s.kind !== 'crop' || !target?.ok || target.image.key !== image.key) return
    const op = ops.get(i) ?? 0
    const bbox = toNormalized(s.bbox, image.view)
    boxes.push({ step: i, op, color: operationColor(op), bbox, raw: s.bbox, wrongLook: Boolean(s.wrongLook) })
  })
  const selectedStep = selected !== null ? steps[selected] : undefined
  const selectedBox = boxes.find((b) => b.step === selected)
  const decimals = pixelDecimals(image.size)
  const frameMarks = new Map<number, FrameMark[]>()
  steps.forEach((s, i) => {
    if (s.kind !== 'select_frames') return
    const op = ops.get(i) ?? 0
    for (const f of s.frames) frameMarks.set(f - 1, [...(frameMarks.get(f - 1) ?? []), { op, color: operationColor(op) }])
  })

  return (
    <div className={`trace-editor${readOnly ? ' read-only' : ''}`} data-testid="trace-editor" data-trace-id={trace.id} data-revision={trace.revision}>
      <ReviewBar trace={trace} readOnly={readOnly} history={props.history} panel={panel} onStatus={setStatus} onUndo={props.onUndo} onRedo={props.onRedo} onPanel={() => scope.place.set((p) => ({ ...p, panel: p.panel === 'diff' ? 'steps' : 'diff' }))} onCopy={copy} />
      {readOnly && (
        <div className="banner info" data-testid="model-view">
          Model reasoning ({trace.origin}): read-only, as the model ran it. <button className="link" onClick={copy}>Edit a copy</button> to correct it and keep it as training data.
          {copying && <span className="muted"> {copying}</span>}
        </div>
      )}
      {editor.notice && (
        <div className="banner error conflict" role="alert" data-testid="editor-notice">
          {editor.notice} <button className="link" onClick={editor.dismissNotice}>dismiss</button>
        </div>
      )}
      <div className="editor-body">
        <div className="editor-stage">
          <div className="question-full">{trace.question}</div>
          <SamplePanel trace={trace} sample={sample} onSample={editor.editSample} onComment={editor.setComment} />
          <ImageTabs video={video} originals={images.originals} returned={images.returned} shown={image.key} onShow={setShown} />
          <Panel name="canvas">
            <EditorCanvas
              traceId={trace.id}
              image={image}
              boxes={boxes}
              selectedStep={selected}
              editable={!readOnly}
              onSelect={select}
              onPreview={(step, bbox) => editor.preview((s) => setBox(s, step, bbox, decimals))}
              onCommit={(_step, label) => editor.commit(label)}
              onDraw={(bbox) => commands.insert('crop', bbox)}
            />
          </Panel>
          {selectedBox && <BoxFields key={selectedBox.step} op={selectedBox.op} bbox={selectedBox.bbox} size={image.size} editable={!readOnly} onSet={(bbox) => editor.apply(`set box ${selectedBox.op}`, (s) => setBox(s, selectedBox.step, bbox, decimals))} />}
          {video && (
            <FrameStrip
              frames={images.originals}
              current={image.kind === 'returned' ? null : image.index}
              selection={selectedStep?.kind === 'select_frames' && selected !== null ? { op: ops.get(selected) ?? 0, color: operationColor(ops.get(selected) ?? 0), frames: selectedStep.frames } : null}
              marks={frameMarks}
              editable={!readOnly}
              onShow={(f) => setShown(`o${f}`)}
              onToggle={commands.toggleFrame}
            />
          )}
        </div>
        <div className="editor-steps">
          <Panel name="steps">
          {panel === 'diff' ? (
            <TraceDiff client={scope.client} traceId={trace.id} revision={trace.revision} />
          ) : (
            <StepList
              steps={steps}
              images={images}
              ops={ops}
              warnings={warnings}
              gold={trace.gold}
              video={video}
              selected={selected}
              readOnly={readOnly}
              onSelect={select}
              onPreview={editor.preview}
              onCommit={editor.commit}
              onMove={commands.move}
              onDelete={commands.remove}
              onWrongLook={commands.wrongLook}
              onInsert={commands.insert}
            />
          )}
          </Panel>
        </div>
      </div>
      {steps.some(isCallStep) && (
        <div className="muted small legend">
          Boxes: the crop as written; dashed outline: what the crop covers with its padding.{readOnly ? '' : ' Drag to move, handles to resize, Esc cancels a drag; drag on the image to draw a box, arrows nudge it.'}
        </div>
      )}
    </div>
  )
}
