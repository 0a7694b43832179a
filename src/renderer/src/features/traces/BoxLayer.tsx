// The crop boxes on the shown image, numbered and coloured by operation. The selected box shows
// the region the crop really covers (padding included) and handles to move and resize it; a
// drag previews live and is written once, when the pointer is released (one undo step). Esc
// during a drag puts the box back. The layer covers the whole stage and draws from the image's
// frame on it (zoomed and panned), so boxes and handles are exact and handles keep their size at
// every zoom.
import { useEffect, useRef } from 'react'
import { cropRegion, TRAIN_PROFILE, type Bbox, type Size } from '../../../../shared/pixel-ops'
import { dragBox, HANDLES, handlePoint, type DragHandle } from './box-drag'
import type { Frame } from './viewport'

export interface DrawnBox {
  step: number
  op: number
  color: string
  /** normalized to the shown image */
  bbox: Bbox
  /** the box as the model wrote it (for the padded region) */
  raw: Bbox
  wrongLook: boolean
}

interface Drag {
  step: number
  op: number
  handle: DragHandle
  start: Bbox
  x: number
  y: number
  moved: boolean
}

/** What the editor hands to the image's box layer. */
export interface BoxEditing {
  boxes: DrawnBox[]
  selectedStep: number | null
  editable: boolean
  onSelect: (step: number) => void
  /** a drag in progress: show, do not write */
  onPreview: (step: number, bbox: Bbox) => void
  /** the drag ended: write it as one action */
  onCommit: (step: number, label: string) => void
}

export function BoxLayer(
  props: BoxEditing & {
    /** where the image is on the layer, px */
    frame: Frame
    /** the image as the model sees it (for the padded region) */
    view: Size
  }
): React.JSX.Element {
  const { boxes, frame, view, selectedStep, editable, onSelect, onPreview, onCommit } = props
  const { x: X, y: Y, width: W, height: H } = frame
  const drag = useRef<Drag | null>(null)
  const preview = useRef(onPreview)
  preview.current = onPreview

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const d = drag.current
      if (!d || e.key !== 'Escape') return
      e.preventDefault()
      e.stopPropagation()
      preview.current(d.step, d.start)
      drag.current = null
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [])

  const begin = (box: DrawnBox, handle: DragHandle) => (e: React.PointerEvent): void => {
    e.stopPropagation()
    onSelect(box.step)
    if (!editable || e.button !== 0) return
    drag.current = { step: box.step, op: box.op, handle, start: box.bbox, x: e.clientX, y: e.clientY, moved: false }
    // the layer captures the pointer, so the drag follows it outside the box and the image
    ;(e.currentTarget as SVGGraphicsElement).ownerSVGElement?.setPointerCapture(e.pointerId)
  }
  const move = (e: React.PointerEvent): void => {
    const d = drag.current
    if (!d) return
    const dx = (e.clientX - d.x) / W
    const dy = (e.clientY - d.y) / H
    if (!d.moved && Math.abs(e.clientX - d.x) + Math.abs(e.clientY - d.y) < 2) return
    d.moved = true
    onPreview(d.step, dragBox(d.start, d.handle, dx, dy))
  }
  const end = (): void => {
    const d = drag.current
    drag.current = null
    if (d?.moved) onCommit(d.step, `${d.handle === 'move' ? 'move' : 'resize'} box ${d.op}`)
  }

  return (
    <svg className="box-layer" onPointerMove={move} onPointerUp={end} onPointerCancel={end} data-testid="box-layer">
      {boxes.map((b) => {
        const selected = b.step === selectedStep
        const [x1, y1, x2, y2] = b.bbox
        const padded = selected ? cropRegion(view, b.raw, TRAIN_PROFILE.padding, TRAIN_PROFILE.minCropSide) : null
        return (
          <g key={b.step} data-testid="crop-box" data-op={b.op} data-step={b.step} data-bbox={b.bbox.map((v) => v.toFixed(3)).join(',')} className={selected ? 'selected' : ''}>
            {padded?.ok && (
              <rect
                className="padded"
                x={X + padded.value.padded[0] * W}
                y={Y + padded.value.padded[1] * H}
                width={(padded.value.padded[2] - padded.value.padded[0]) * W}
                height={(padded.value.padded[3] - padded.value.padded[1]) * H}
                stroke={b.color}
              />
            )}
            <rect
              className="box"
              x={X + x1 * W}
              y={Y + y1 * H}
              width={(x2 - x1) * W}
              height={(y2 - y1) * H}
              stroke={b.color}
              strokeDasharray={b.wrongLook ? '6 4' : undefined}
              onPointerDown={begin(b, 'move')}
              style={{ cursor: editable && selected ? 'move' : 'pointer' }}
            />
            <g transform={`translate(${X + x1 * W},${Y + (y1 * H >= 16 ? y1 * H - 16 : 0)})`} onPointerDown={begin(b, 'move')} style={{ cursor: 'pointer' }}>
              <rect width={b.wrongLook ? 30 : 18} height={16} fill={b.color} rx={2} />
              <text x={4} y={12} className="box-number">
                {b.op}
                {b.wrongLook ? '✗' : ''}
              </text>
            </g>
            {selected &&
              editable &&
              HANDLES.map((h) => {
                const [hx, hy] = handlePoint(b.bbox, h)
                return <rect key={h} className={`handle handle-${h}`} data-handle={h} x={X + hx * W - 5} y={Y + hy * H - 5} width={10} height={10} fill={b.color} onPointerDown={begin(b, h)} />
              })}
          </g>
        )
      })}
    </svg>
  )
}
