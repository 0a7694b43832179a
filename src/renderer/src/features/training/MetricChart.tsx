// A metric chart on canvas (uPlot): a million points draw in milliseconds, where an SVG path
// stalls. Hover shows the values at the cursor, a drag zooms into steps (double click: back),
// smoothing and a log scale come from the panel's options, and every chart with the same `sync`
// key moves its cursor with the others.
import { useEffect, useMemo, useRef, useState } from 'react'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { useColorScheme } from '../../app/use-color-scheme'
import { smooth } from './smoothing'

export interface ChartSeries {
  label: string
  color: string
  /** sorted by step */
  points: Array<{ x: number; y: number }>
  /** points the studio holds for this curve, when more than were sent */
  stored?: number
}

export interface ChartOptions {
  /** EMA weight, 0 (off) to < 1 */
  smoothing: number
  log: boolean
}

const HEIGHTS = { small: 160, large: 320 }

function label(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–'
  const a = Math.abs(v)
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2)
  return Number(v.toPrecision(4)).toString()
}

/** Every series on one x axis (the union of their steps), as uPlot wants its data. */
function aligned(series: ChartSeries[]): uPlot.AlignedData {
  if (series.length === 1) {
    const pts = series[0]?.points ?? []
    const xs = new Float64Array(pts.length)
    const ys = new Float64Array(pts.length)
    for (let i = 0; i < pts.length; i++) {
      xs[i] = pts[i]!.x
      ys[i] = pts[i]!.y
    }
    return [xs, ys]
  }
  return uPlot.join(series.map((s) => [s.points.map((p) => p.x), s.points.map((p) => p.y)] as uPlot.AlignedData))
}

interface Hover {
  step: number
  values: Array<number | null>
}

export function MetricChart(props: { title: string; series: ChartSeries[]; options: ChartOptions; sync?: string; testId?: string; size?: keyof typeof HEIGHTS }): React.JSX.Element {
  const { title, series, options, sync, testId, size = 'small' } = props
  const scheme = useColorScheme()
  const host = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const [hover, setHover] = useState<Hover | null>(null)
  /** the steps shown: null for all of them, else a drag-zoomed range */
  const [range, setRange] = useState<[number, number] | null>(null)
  const raw = useMemo(() => aligned(series), [series])
  // a log scale needs every value above zero; otherwise the chart stays linear and says so
  const canLog = useMemo(() => raw.slice(1).every((ys) => Array.prototype.every.call(ys, (v: number | null) => v === null || v > 0)), [raw])
  const log = options.log && canLog
  const data = useMemo<uPlot.AlignedData>(() => (options.smoothing > 0 ? [raw[0], ...raw.slice(1).map((ys) => smooth(ys, options.smoothing))] : raw), [raw, options.smoothing])
  const shape = `${series.map((s) => `${s.label}\u0000${s.color}`).join('|')}|${log}|${sync ?? ''}|${size}|${scheme}`

  // (re)built when the series set or the scale changes; new points only replace the data
  useEffect(() => {
    const el = host.current
    if (!el) return
    const css = getComputedStyle(el)
    const ink = css.getPropertyValue('--muted').trim() || '#888'
    const grid = css.getPropertyValue('--line').trim() || 'rgba(128,128,128,0.2)'
    const opts: uPlot.Options = {
      width: Math.max(100, el.clientWidth),
      height: HEIGHTS[size],
      legend: { show: false },
      cursor: { sync: sync ? { key: sync, setSeries: false } : undefined, drag: { x: true, y: false } },
      scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
      axes: [
        { stroke: ink, grid: { stroke: grid, width: 0.5 }, ticks: { show: false }, font: '10px sans-serif' },
        { stroke: ink, grid: { stroke: grid, width: 0.5 }, ticks: { show: false }, font: '10px sans-serif', size: 48, values: (_u, vals) => vals.map(label) }
      ],
      series: [{ label: 'step' }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, points: { show: s.points.length <= 40, size: 4 }, spanGaps: true }))],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width <= 0) return
            setRange([u.posToVal(u.select.left, 'x'), u.posToVal(u.select.left + u.select.width, 'x')])
          }
        ],
        setCursor: [
          (u) => {
            const idx = u.cursor.idx
            if (idx === null || idx === undefined) return setHover(null)
            const step = u.data[0][idx]
            if (step === undefined) return setHover(null)
            setHover({ step, values: u.data.slice(1).map((ys) => ys[idx] ?? null) })
          }
        ]
      }
    }
    const u = new uPlot(opts, [[], ...series.map(() => [])], el)
    plot.current = u
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(100, el.clientWidth), height: HEIGHTS[size] }))
    resize.observe(el)
    return () => {
      resize.disconnect()
      u.destroy()
      plot.current = null
    }
    // `shape` names everything the build reads: the series set, the scale, the theme
  }, [shape])

  // new points keep a drag-zoomed range where it is
  const zoomedTo = useRef(range)
  zoomedTo.current = range
  useEffect(() => {
    const u = plot.current
    if (!u) return
    u.setData(data)
    const r = zoomedTo.current
    if (r) u.setScale('x', { min: r[0], max: r[1] })
  }, [data, shape])

  const total = series.reduce((n, s) => n + s.points.length, 0)
  const last = series.length === 1 ? series[0]?.points.at(-1) : undefined
  return (
    <figure
      className="chart"
      data-testid={testId}
      data-metric={title}
      data-hover-step={hover?.step ?? ''}
      data-range={range ? range.map((v) => Math.round(v)).join(',') : ''}
      data-scale={log ? 'log' : 'linear'}
      onDoubleClick={() => setRange(null)}
    >
      <figcaption>
        {title}
        {hover ? (
          <span className="muted" data-testid="chart-hover">
            {' '}
            · step {hover.step}: {hover.values.map((v, i) => `${series.length > 1 ? `${series[i]?.label} ` : ''}${label(v)}`).join(' · ')}
          </span>
        ) : (
          last && <span className="muted"> · {label(last.y)} at step {last.x}</span>
        )}
        {options.log && !canLog && <span className="muted small"> (linear: values ≤ 0)</span>}
      </figcaption>
      {total === 0 && <div className="muted chart-empty">no data yet</div>}
      <div ref={host} className="chart-plot" hidden={total === 0} role="img" aria-label={`${title} by step`} />
      <div className="legend">
        {series.map((s) => (
          <span key={s.label} data-testid="chart-series" data-label={s.label} data-points={s.points.length} data-stored={s.stored ?? s.points.length}>
            <i style={{ background: s.color }} />
            {series.length > 1 && s.label}
            {s.stored !== undefined && s.stored > s.points.length && <span className="muted"> {s.stored.toLocaleString('en')} points, {s.points.length.toLocaleString('en')} drawn</span>}
          </span>
        ))}
      </div>
    </figure>
  )
}

/** Smoothing and scale for every chart of a panel. */
export function ChartControls({ options, onChange }: { options: ChartOptions; onChange: (o: ChartOptions) => void }): React.JSX.Element {
  return (
    <div className="chart-controls">
      <label>
        smoothing{' '}
        <input type="range" aria-label="Smoothing" min={0} max={0.99} step={0.01} value={options.smoothing} onChange={(e) => onChange({ ...options, smoothing: Number(e.target.value) })} />{' '}
        <span className="muted small">{options.smoothing.toFixed(2)}</span>
      </label>
      <label>
        <input type="checkbox" checked={options.log} onChange={(e) => onChange({ ...options, log: e.target.checked })} /> log scale
      </label>
      <span className="muted small">drag: zoom · double click: all steps</span>
    </div>
  )
}
