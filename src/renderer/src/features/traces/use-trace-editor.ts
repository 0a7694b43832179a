// One trace being edited: its saved state, the draft on screen, and how edits reach the store.
// Edits show at once (the draft); `commit` writes the draft as one revision through the review
// session. When the last queued write lands, the saved steps (with the crops the server
// computed) replace the draft, unless the person is mid-edit.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Sample, StoredTrace, TraceStatus } from '../../../../shared/contract'
import type { SamplePatch } from './review-session'
import { hasDerivedMedia, type Step } from '../../../../shared/toolcall/steps'
import { arrivedTrace, sampleOf, traceOf, type ReviewScope } from './review-scope'

export interface TraceEditorState {
  trace: StoredTrace | null
  sample: Sample | null
  /** the draft shown and edited */
  steps: Step[]
  error: string | null
  /** a conflict, a failed save or a change made elsewhere, in words */
  notice: string | null
}

export interface TraceEditor extends TraceEditorState {
  /** show an edit without writing it (a drag in progress, typing) */
  preview(edit: StepEdit): void
  /** write the draft as one undoable action, if it differs from what was last written */
  commit(label: string): void
  /** preview + commit */
  apply(label: string, edit: StepEdit): void
  setStatus(status: TraceStatus, label: string): void
  /** the reviewer's note on this trace ("" removes it), one undoable action */
  setComment(comment: string): void
  /** edit the trace's sample (question, gold answer, answer type, flags), one undoable action */
  editSample(patch: SamplePatch, label: string): void
  dismissNotice(): void
}

/** An edit of the draft: applied to the newest draft, so fast successive edits never drop one. */
export type StepEdit = (steps: Step[]) => Step[]

const EMPTY: TraceEditorState = { trace: null, sample: null, steps: [], error: null, notice: null }

export function useTraceEditor(scope: ReviewScope, traceId: string): TraceEditor {
  const { client, session } = scope
  // a trace read ahead (the next one) shows in the first render: no frame of "Loading"
  const [state, setState] = useState<TraceEditorState>(() => {
    const ahead = arrivedTrace(scope, traceId)
    return ahead ? { trace: ahead.trace, sample: ahead.sample, steps: ahead.trace.steps, error: null, notice: null } : EMPTY
  })
  /** the state as last rendered, for callbacks that must not change identity */
  const latest = useRef(state)
  latest.current = state
  const draft = useRef<Step[]>([])
  /** JSON of the steps last written or loaded: a commit of the same steps writes nothing */
  const written = useRef('')
  const id = useRef(traceId)
  id.current = traceId

  /** makes a saved state the draft; `onScreen`: it is shown already (opened from the read-ahead) */
  const adopt = useCallback(
    (trace: StoredTrace, sample?: Sample, notice?: string, onScreen = false) => {
      draft.current = trace.steps
      written.current = JSON.stringify(trace.steps)
      if (!onScreen) setState((s) => ({ trace, sample: sample ?? s.sample, steps: trace.steps, error: null, notice: notice ?? s.notice }))
      if (!hasDerivedMedia(trace.steps)) return
      // a trace that stores only boxes and frame picks: shown at once, its crops once rendered
      // (taken unless the trace moved on or the person started editing meanwhile)
      const shown = written.current
      client.call('traces.renderMedia', { id: trace.id }).then(
        (rendered) => {
          if (id.current !== trace.id || rendered.revision !== trace.revision || written.current !== shown || JSON.stringify(draft.current) !== shown) return
          draft.current = rendered.steps
          written.current = JSON.stringify(rendered.steps)
          setState((s) => (s.trace?.id === trace.id ? { ...s, steps: rendered.steps } : s))
        },
        (e: Error) => id.current === trace.id && setState((s) => ({ ...s, notice: `The crops of this trace could not be rendered: ${e.message}` }))
      )
    },
    [client]
  )

  /** reads the trace afresh (after a conflict, a change), or opens it from the read-ahead */
  const reload = useCallback(
    (notice?: string, opening = false) => {
      const wanted = id.current
      ;(opening ? traceOf(scope, wanted) : client.call('traces.get', { id: wanted })).then(
        async (trace) => {
          const sample = await sampleOf(scope, trace.sampleId)
          if (id.current !== wanted) return
          session.loaded(trace)
          adopt(trace, sample, notice)
        },
        (e: Error) => id.current === wanted && setState((s) => ({ ...s, error: e.message }))
      )
    },
    [client, scope, session, adopt]
  )

  useEffect(() => {
    const shown = latest.current.trace
    if (shown?.id === traceId) {
      session.loaded(shown)
      adopt(shown, undefined, undefined, true)
      return
    }
    setState(EMPTY)
    draft.current = []
    written.current = ''
    // the list row names the sample: fetch it alongside the trace
    const row = scope.pages.row(scope.pages.indexOf(traceId))
    if (row) void sampleOf(scope, row.sampleId).catch(() => undefined)
    reload(undefined, true)
  }, [traceId, scope, session, adopt, reload])

  // our own writes landing, refused or failing
  useEffect(
    () =>
      session.subscribe((event) => {
        if (event.type === 'history' || event.type === 'bulkFailed') return
        if (event.type === 'sample') {
          // the sample the next reads use; the trace itself arrives as 'saved' (its gold and checks)
          scope.samples.set(event.sample.id, Promise.resolve(event.sample))
          setState((s) => (s.sample?.id === event.sample.id ? { ...s, sample: event.sample } : s))
          return
        }
        if (event.type === 'bulk') {
          reload()
          return
        }
        if (event.type === 'saved') {
          if (event.trace.id !== id.current) return
          const dirty = JSON.stringify(draft.current) !== written.current
          if (event.pending === 0 && !dirty) adopt(event.trace)
          else setState((s) => ({ ...s, trace: event.trace }))
          return
        }
        if (event.traceId !== id.current) return
        if (event.type === 'conflict') reload(`Not saved: this trace changed elsewhere (${event.message}). It was reloaded as it is now; its undo history was cleared.`)
        else reload(`Not saved: ${event.message}. The trace was reloaded as it is now.`)
      }),
    [session, adopt, reload, scope]
  )

  // changes made elsewhere (another window, a job)
  useEffect(
    () =>
      client.on('traces.changed', (event) => {
        const wanted = id.current
        if (event.ids && !event.ids.includes(wanted)) return
        if (session.isPending(wanted)) return
        if (event.reason === 'sample edited') {
          // the sample changed (elsewhere, or our own edit): its gold answer moves the checks
          const sampleId = latest.current.trace?.sampleId
          if (sampleId) scope.samples.delete(sampleId)
          reload()
          return
        }
        client.call('traces.get', { id: wanted }).then(
          (trace) => {
            if (id.current !== wanted || session.isPending(wanted)) return
            if (session.external(trace)) adopt(trace, undefined, `This trace was changed elsewhere (now revision ${trace.revision}) and has been reloaded; its undo history was cleared.`)
          },
          () => undefined
        )
      }),
    [client, session, adopt, reload, scope]
  )

  const preview = useCallback((edit: StepEdit) => {
    const steps = edit(draft.current)
    draft.current = steps
    setState((s) => ({ ...s, steps }))
  }, [])

  const commit = useCallback(
    (label: string) => {
      const json = JSON.stringify(draft.current)
      if (json === written.current) return
      written.current = json
      void session.update(id.current, { steps: draft.current }, label)
    },
    [session]
  )

  const apply = useCallback(
    (label: string, edit: StepEdit) => {
      preview(edit)
      commit(label)
    },
    [preview, commit]
  )

  const setStatus = useCallback(
    (status: TraceStatus, label: string) => {
      setState((s) => (s.trace ? { ...s, trace: { ...s.trace, status } } : s))
      void session.update(id.current, { status }, label)
    },
    [session]
  )

  const setComment = useCallback((comment: string) => void session.update(id.current, { comment }, comment ? 'comment' : 'remove comment'), [session])

  const editSample = useCallback(
    (patch: SamplePatch, label: string) => {
      const sample = latest.current.sample
      if (sample) void session.updateSample(sample, id.current, patch, label)
    },
    [session]
  )

  const dismissNotice = useCallback(() => setState((s) => ({ ...s, notice: null })), [])

  return { ...state, preview, commit, apply, setStatus, setComment, editSample, dismissNotice }
}
