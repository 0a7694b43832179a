// The selected box as numbers: normalized to the shown image (what is stored) and in the shown
// file's pixels. Typing a value and pressing Enter (or leaving the field) sets the box as one
// undoable edit; a box that is not inside the image, or has no area, is refused with a reason.
import { useState } from 'react'
import { pixelDecimals, type Bbox, type Size } from '../../../../shared/pixel-ops'
import { boxFromFields } from './box-drag'

const NAMES = ['x1', 'y1', 'x2', 'y2'] as const

function texts(bbox: Bbox, size: Size): { norm: string[]; px: string[] } {
  const d = pixelDecimals(size)
  const scale = [size.width, size.height, size.width, size.height]
  return { norm: bbox.map((v) => v.toFixed(d)), px: bbox.map((v, i) => String(Math.round(v * (scale[i] ?? 1)))) }
}

export function BoxFields(props: { op: number; bbox: Bbox; size: Size; editable: boolean; onSet: (bbox: Bbox) => void }): React.JSX.Element {
  const { op, bbox, size, editable, onSet } = props
  const shown = texts(bbox, size)
  const [draft, setDraft] = useState<{ unit: 'norm' | 'px'; values: string[] } | null>(null)
  const [error, setError] = useState<string | null>(null)

  const apply = (): void => {
    if (!draft) return
    const r = boxFromFields(draft.values, draft.unit, size)
    if (!r.ok) return setError(r.message)
    setError(null)
    setDraft(null)
    onSet(r.bbox)
  }
  const row = (unit: 'norm' | 'px', label: string): React.JSX.Element => (
    <div className="box-fields-row" data-unit={unit}>
      <span className="muted small">{label}</span>
      {NAMES.map((name, i) => (
        <input
          key={name}
          aria-label={`box ${name} ${unit === 'px' ? 'pixels' : 'normalized'}`}
          value={draft?.unit === unit ? draft.values[i] : shown[unit][i]}
          readOnly={!editable}
          inputMode="decimal"
          onChange={(e) => {
            const values = [...(draft?.unit === unit ? draft.values : shown[unit])]
            values[i] = e.target.value
            setDraft({ unit, values })
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') apply()
            if (e.key === 'Escape') {
              setDraft(null)
              setError(null)
              e.currentTarget.blur()
            }
          }}
          onBlur={apply}
        />
      ))}
    </div>
  )
  return (
    <div className="box-fields" data-testid="box-fields" data-op={op} data-norm={shown.norm.join(',')} data-px={shown.px.join(',')}>
      <strong className="small">box {op}</strong>
      {row('norm', 'normalized')}
      {row('px', `px of ${size.width}×${size.height}`)}
      {error && <span className="bad small" role="alert">{error}</span>}
    </div>
  )
}
