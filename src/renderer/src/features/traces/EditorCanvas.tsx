// The shown image with the crop boxes over it, zoomable and pannable: the wheel zooms about the
// pointer, Space + drag or the middle button pans, `f` fits and `o` shows one image pixel per
// screen pixel; a minimap shows where the view is once zoomed in. Dragging on the image outside
// the boxes draws a new box; the arrow keys nudge the selected box by one image pixel (Shift:
// 10). Marks the moment a trace is drawn (performance mark `trace-drawn`, `data-drawn` on the
// stage) for the benchmark and the tests.
import { useEffect, useLayoutEffect, useRef, useState } from 'react'
import type { Bbox } from '../../../../shared/pixel-ops'
import { useStudio } from '../../app/studio-context'
import { dragBox, MIN_BOX_SIDE } from './box-drag'
import { BoxLayer, type BoxEditing } from './BoxLayer'
import { isDecoded } from './image-cache'
import { typing, useReviewKeys } from './review-keys'
import type { EditorImage } from './trace-media'
import { actualSize, fitViewport, frameOf, panBy, toImagePoint, wheelFactor, zoomAt, type Point, type Viewport } from './viewport'

export interface CanvasEditing extends BoxEditing {
  /** a box drawn by dragging on the image, normalized */
  onDraw: (bbox: Bbox) => void
}

type Gesture = { kind: 'pan'; pointer: number; last: Point } | { kind: 'draw'; pointer: number; from: Point; to: Point }

const ZOOM_STEP = 1.5

/** The stage's size as last measured: the next trace's stage is as large, so its first render
 * places the image without reading the layout (a forced layout on every j / accept) */
let lastRoom = { width: 0, height: 0 }

export function EditorCanvas(props: CanvasEditing & { traceId: string; image: EditorImage }): React.JSX.Element {
  const { traceId, image, onDraw, ...boxes } = props
  const { mediaUrl } = useStudio()
  const stage = useRef<HTMLDivElement>(null)
  const [room, setRoom] = useState(lastRoom)
  const [drawn, setDrawn] = useState<string | null>(null)
  /** null: fitted (and refitted when the stage or the image changes) */
  const [view, setView] = useState<Viewport | null>(null)
  const [gesture, setGesture] = useState<Gesture | null>(null)
  const [spaceHeld, setSpaceHeld] = useState(false)
  const over = useRef(false)
  const size = image.size

  useLayoutEffect(() => {
    const el = stage.current
    if (!el) return
    const measure = (): void => {
      const next = { width: el.clientWidth, height: el.clientHeight }
      lastRoom = next
      setRoom((r) => (r.width === next.width && r.height === next.height ? r : next))
    }
    // the observer reports the size after the first layout too (a stage that differs is corrected then)
    const observer = new ResizeObserver(measure)
    observer.observe(el)
    if (lastRoom.width === 0) measure()
    return () => observer.disconnect()
  }, [])

  // another image: start fitted
  useEffect(() => setView(null), [image.key, traceId])

  const fitted = fitViewport(size, room)
  const viewport = view ?? fitted
  const frame = frameOf(viewport, size)
  const live = useRef({ viewport, room, size })
  live.current = { viewport, room, size }

  // the wheel zooms about the pointer (a non-passive listener: the page must not scroll)
  useEffect(() => {
    const el = stage.current
    if (!el) return
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault()
      const { viewport: v, room: r, size: s } = live.current
      const box = el.getBoundingClientRect()
      setView(zoomAt(v, wheelFactor(e.deltaY, e.deltaMode), { x: e.clientX - box.left, y: e.clientY - box.top }, s, r))
    }
    el.addEventListener('wheel', onWheel, { passive: false })
    return () => el.removeEventListener('wheel', onWheel)
  }, [])

  // Space over the image holds the pan mode (and is not the frame toggle there)
  useEffect(() => {
    const down = (e: KeyboardEvent): void => {
      if (typing(e.target)) return
      if (e.key !== ' ' || !over.current || e.repeat) {
        if (e.key === ' ' && over.current) e.preventDefault()
        return
      }
      e.preventDefault()
      setSpaceHeld(true)
    }
    const up = (e: KeyboardEvent): void => {
      if (e.key === ' ') setSpaceHeld(false)
    }
    const blur = (): void => setSpaceHeld(false)
    window.addEventListener('keydown', down, true)
    window.addEventListener('keyup', up, true)
    window.addEventListener('blur', blur)
    return () => {
      window.removeEventListener('keydown', down, true)
      window.removeEventListener('keyup', up, true)
      window.removeEventListener('blur', blur)
    }
  }, [])

  // nudges show at once and are written when the key is released: a held arrow is one undo step
  const selectedBox = boxes.boxes.find((b) => b.step === boxes.selectedStep)
  const nudging = useRef<{ step: number; op: number } | null>(null)
  const commit = useRef(boxes.onCommit)
  commit.current = boxes.onCommit
  const nudge = (dx: number, dy: number) => (event: KeyboardEvent): boolean => {
    if (!selectedBox || !boxes.editable) return false
    const k = event.shiftKey ? 10 : 1
    boxes.onPreview(selectedBox.step, dragBox(selectedBox.bbox, 'move', (dx * k) / size.width, (dy * k) / size.height))
    nudging.current = { step: selectedBox.step, op: selectedBox.op }
    return true
  }
  useEffect(() => {
    const done = (): void => {
      const n = nudging.current
      nudging.current = null
      if (n) commit.current(n.step, `nudge box ${n.op}`)
    }
    window.addEventListener('keyup', done)
    window.addEventListener('blur', done)
    return () => {
      window.removeEventListener('keyup', done)
      window.removeEventListener('blur', done)
      done()
    }
  }, [])
  const centre = { x: room.width / 2, y: room.height / 2 }
  useReviewKeys(
    {
      nudgeLeft: nudge(-1, 0),
      nudgeRight: nudge(1, 0),
      nudgeUp: nudge(0, -1),
      nudgeDown: nudge(0, 1),
      zoomFit: () => setView(null),
      zoomActual: () => setView(actualSize(viewport, size, room)),
      zoomIn: () => setView(zoomAt(viewport, ZOOM_STEP, centre, size, room)),
      zoomOut: () => setView(zoomAt(viewport, 1 / ZOOM_STEP, centre, size, room))
    },
    { capture: true }
  )

  const point = (e: React.PointerEvent): Point => {
    const box = stage.current?.getBoundingClientRect()
    return { x: e.clientX - (box?.left ?? 0), y: e.clientY - (box?.top ?? 0) }
  }

  // before the boxes see it: a middle button or Space + drag pans, wherever it starts
  const onPointerDownCapture = (e: React.PointerEvent): void => {
    if (e.button !== 1 && !(e.button === 0 && spaceHeld)) return
    e.preventDefault()
    e.stopPropagation()
    stage.current?.setPointerCapture(e.pointerId)
    setGesture({ kind: 'pan', pointer: e.pointerId, last: point(e) })
  }
  // what reaches the stage started outside every box: a new box
  const onPointerDown = (e: React.PointerEvent): void => {
    if (e.button !== 0 || !boxes.editable || gesture) return
    const p = point(e)
    const n = toImagePoint(frame, p)
    if (n.x < 0 || n.y < 0 || n.x > 1 || n.y > 1) return
    stage.current?.setPointerCapture(e.pointerId)
    setGesture({ kind: 'draw', pointer: e.pointerId, from: p, to: p })
  }
  const onPointerMove = (e: React.PointerEvent): void => {
    if (!gesture || e.pointerId !== gesture.pointer) return
    const p = point(e)
    if (gesture.kind === 'pan') {
      setView(panBy(viewport, p.x - gesture.last.x, p.y - gesture.last.y, size, room))
      setGesture({ ...gesture, last: p })
    } else setGesture({ ...gesture, to: p })
  }
  const onPointerUp = (e: React.PointerEvent): void => {
    if (!gesture || e.pointerId !== gesture.pointer) return
    setGesture(null)
    if (gesture.kind !== 'draw') return
    const bbox = drawnBox(gesture.from, gesture.to)
    if (bbox) onDraw(bbox)
  }
  const drawnBox = (a: Point, b: Point): Bbox | null => {
    const p = toImagePoint(frame, a)
    const q = toImagePoint(frame, b)
    const clamp = (v: number): number => Math.min(Math.max(v, 0), 1)
    const box: Bbox = [clamp(Math.min(p.x, q.x)), clamp(Math.min(p.y, q.y)), clamp(Math.max(p.x, q.x)), clamp(Math.max(p.y, q.y))]
    return box[2] - box[0] >= MIN_BOX_SIDE / 10 && box[3] - box[1] >= MIN_BOX_SIDE / 10 && Math.abs(a.x - b.x) >= 4 && Math.abs(a.y - b.y) >= 4 ? box : null
  }

  const src = image.hash ? mediaUrl(image.hash) : null
  const key = `${traceId}|${src ?? ''}`
  const shownImage = useRef<HTMLImageElement>(null)
  /** the image whose drawing is awaited or marked (once per key) */
  const awaited = useRef<string | null>(null)
  const whenDrawn = (img: HTMLImageElement, ready: boolean): void => {
    if (awaited.current === key) return
    awaited.current = key
    const mark = (): void =>
      void requestAnimationFrame(() => {
        performance.mark('trace-drawn', { detail: traceId })
        setDrawn(key)
      })
    if (ready) mark()
    else void img.decode().catch(() => undefined).then(mark)
  }
  // an image the browser holds already (read ahead, or shown before) is complete as soon as it is
  // in the page: its load event, a task queued behind others, is not waited for; one the image
  // cache decoded is drawn in the next frame
  useLayoutEffect(() => {
    const img = shownImage.current
    if (img?.complete && img.naturalWidth > 0 && src) whenDrawn(img, isDecoded(src))
  })
  const onLoad = (e: React.SyntheticEvent<HTMLImageElement>): void => whenDrawn(e.currentTarget, false)

  const zoomed = viewport.zoom > fitted.zoom * 1.01
  const rubber = gesture?.kind === 'draw' ? gesture : null
  const cursor = gesture?.kind === 'pan' ? 'grabbing' : spaceHeld ? 'grab' : boxes.editable ? 'crosshair' : 'default'
  return (
    <div
      className="editor-canvas"
      ref={stage}
      style={{ cursor }}
      data-testid="editor-image"
      data-image={image.key}
      data-drawn={drawn === key ? traceId : ''}
      data-zoom={viewport.zoom}
      data-pan={`${viewport.x},${viewport.y}`}
      onPointerEnter={() => (over.current = true)}
      onPointerLeave={() => (over.current = false)}
      onPointerDownCapture={onPointerDownCapture}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => setGesture(null)}
      onAuxClick={(e) => e.preventDefault()}
    >
      {room.width > 0 &&
        (src ? (
          <img
            key={key}
            ref={shownImage}
            className="canvas-image"
            src={src}
            alt={image.label}
            draggable={false}
            onLoad={onLoad}
            style={{ width: frame.width, height: frame.height, transform: `translate(${frame.x}px, ${frame.y}px)`, imageRendering: viewport.zoom >= 2 ? 'pixelated' : 'auto' }}
          />
        ) : (
          <div className="muted pad">{image.label}: computed on save…</div>
        ))}
      {room.width > 0 && <BoxLayer {...boxes} frame={frame} view={image.view} />}
      {rubber && (
        <div className="rubber-band" data-testid="rubber-band" style={{ left: Math.min(rubber.from.x, rubber.to.x), top: Math.min(rubber.from.y, rubber.to.y), width: Math.abs(rubber.to.x - rubber.from.x), height: Math.abs(rubber.to.y - rubber.from.y) }} />
      )}
      <div className="zoom-indicator" data-testid="zoom-indicator" title="wheel: zoom · f: fit · o: 1:1 · Space + drag or middle button: pan">
        {Math.round(viewport.zoom * 100)}%
      </div>
      {zoomed && src && <Minimap src={src} image={image} viewport={viewport} room={room} onCentre={(p) => setView(panBy(viewport, room.width / 2 - (viewport.x + p.x * frame.width), room.height / 2 - (viewport.y + p.y * frame.height), size, room))} />}
    </div>
  )
}

const MINIMAP = 140

/** The whole image small, with the part on screen outlined; a click centres the view there. */
function Minimap(props: { src: string; image: EditorImage; viewport: Viewport; room: { width: number; height: number }; onCentre: (p: Point) => void }): React.JSX.Element {
  const { src, image, viewport, room, onCentre } = props
  const k = MINIMAP / Math.max(image.size.width, image.size.height)
  const w = image.size.width * k
  const h = image.size.height * k
  // the stage's rectangle in normalized image coordinates, clipped to the image
  const x0 = Math.max(0, -viewport.x / (image.size.width * viewport.zoom))
  const y0 = Math.max(0, -viewport.y / (image.size.height * viewport.zoom))
  const x1 = Math.min(1, (room.width - viewport.x) / (image.size.width * viewport.zoom))
  const y1 = Math.min(1, (room.height - viewport.y) / (image.size.height * viewport.zoom))
  return (
    <div
      className="minimap"
      data-testid="minimap"
      style={{ width: w, height: h }}
      onPointerDown={(e) => {
        e.stopPropagation()
        const box = e.currentTarget.getBoundingClientRect()
        onCentre({ x: (e.clientX - box.left) / w, y: (e.clientY - box.top) / h })
      }}
    >
      <img src={src} alt="" width={w} height={h} draggable={false} />
      <div className="minimap-view" style={{ left: x0 * w, top: y0 * h, width: Math.max(2, (x1 - x0) * w), height: Math.max(2, (y1 - y0) * h) }} />
    </div>
  )
}
