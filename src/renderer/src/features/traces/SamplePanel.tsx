// The open trace's sample, editable: question, gold answer, answer type, choices and flags, each
// change one revision of the sample (undo / redo like any edit). The traces' answer check reads
// the gold answer, so it follows at once. Below it, the reviewer's comment on this trace
// (searchable). A field is written when it is left or Enter is pressed, if it changed.
import { useState } from 'react'
import type { AnswerType, Sample, StoredTrace } from '../../../../shared/contract'
import type { SamplePatch } from './review-session'

const TYPES: AnswerType[] = ['multiple_choice', 'number', 'free_text']
const FLAG = /^[a-z0-9][a-z0-9_:.-]{0,63}$/

const list = (text: string): string[] =>
  text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)

/** A text field that keeps its own draft and reports it once, when left or on Enter. */
function Field(props: { label: string; value: string; multiline?: boolean; valid?: (text: string) => boolean; onCommit: (text: string) => void }): React.JSX.Element {
  const [draft, setDraft] = useState(props.value)
  const ok = props.valid ? props.valid(draft) : true
  const commit = (): void => {
    if (draft !== props.value && ok) props.onCommit(draft)
  }
  const common = {
    'aria-label': props.label,
    value: draft,
    className: ok ? '' : 'invalid',
    onBlur: commit,
    onKeyDown: (e: React.KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      if (e.key === 'Escape') {
        setDraft(props.value)
        e.currentTarget.blur()
      }
      if (e.key === 'Enter' && (!props.multiline || e.ctrlKey || e.metaKey)) {
        e.preventDefault()
        commit()
        e.currentTarget.blur()
      }
    }
  }
  return (
    <label>
      <span>{props.label}</span>
      {props.multiline ? <textarea {...common} rows={2} onChange={(e) => setDraft(e.target.value)} /> : <input {...common} onChange={(e) => setDraft(e.target.value)} />}
    </label>
  )
}

export function SamplePanel(props: { trace: StoredTrace; sample: Sample; onSample: (patch: SamplePatch, label: string) => void; onComment: (comment: string) => void }): React.JSX.Element {
  const { trace, sample, onSample } = props
  // a saved revision (ours or from elsewhere) resets the drafts
  const key = `${sample.id}:${sample.revision}`
  return (
    <details className="sample-panel" data-testid="sample-panel" data-sample-revision={sample.revision}>
      <summary className="small">
        Sample <code>{sample.id}</code> · gold <strong data-testid="sample-gold">{sample.answer}</strong>
        {sample.flags.length > 0 && <span className="muted"> · ⚑ {sample.flags.join(', ')}</span>}
        {trace.comment && <span className="muted"> · 💬</span>}
      </summary>
      <div key={key}>
        <Field label="Question" multiline value={sample.question} valid={(t) => t.trim().length > 0} onCommit={(question) => onSample({ question }, 'edit sample question')} />
        <Field label="Gold answer" value={sample.answer} valid={(t) => t.trim().length > 0} onCommit={(answer) => onSample({ answer: answer.trim() }, `gold ${sample.answer} → ${answer.trim()}`)} />
        <label>
          <span>Answer type</span>
          <select aria-label="Answer type" value={sample.answerType} onChange={(e) => onSample({ answerType: e.target.value as AnswerType }, 'edit answer type')}>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        {sample.answerType === 'multiple_choice' && (
          <Field label="Choices" value={(sample.choices ?? []).join(', ')} onCommit={(text) => onSample({ choices: list(text).length ? list(text) : null }, 'edit choices')} />
        )}
        <Field label="Sample flags" value={sample.flags.join(', ')} valid={(t) => list(t).every((f) => FLAG.test(f))} onCommit={(text) => onSample({ flags: list(text) }, 'edit sample flags')} />
      </div>
      <div key={`${trace.id}:${trace.comment ?? ''}`}>
        <Field label="Comment" multiline value={trace.comment ?? ''} onCommit={(text) => props.onComment(text.trim())} />
      </div>
    </details>
  )
}
