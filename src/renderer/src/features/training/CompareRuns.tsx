// Several runs on one chart, one metric at a time: the question "did the curiosity bonus raise
// RaPR?" is a comparison, not a single curve.
import { useMemo, useState } from 'react'
import type { TrainingRun } from '../../../../shared/contract'
import { TRAINING_CURVES } from '../../../../shared/training/defaults'
import { ChartControls, MetricChart, type ChartOptions } from './MetricChart'
import { useMetrics } from './use-training'

const COLORS = ['#4f8cff', '#ff8787', '#69db7c', '#ffd43b', '#da77f2', '#ffa94d', '#66d9e8', '#f783ac']

export function CompareRuns({ runs, onError }: { runs: TrainingRun[]; onError: (message: string) => void }): React.JSX.Element {
  const metrics = useMetrics(
    runs.map((r) => r.id),
    onError
  )
  const names = [...new Set([...TRAINING_CURVES, ...Object.values(metrics).flatMap((m) => Object.keys(m.stored))])]
  const [metric, setMetric] = useState<string>('loss')
  const [chart, setChart] = useState<ChartOptions>({ smoothing: 0, log: false })
  const series = useMemo(
    () =>
      runs.map((run, i) => ({
        label: run.title,
        color: COLORS[i % COLORS.length] ?? '#fff',
        stored: metrics[run.id]?.stored[metric],
        points: (metrics[run.id]?.points ?? [])
          .filter((p) => p.name === metric)
          .sort((a, b) => a.step - b.step)
          .map((p) => ({ x: p.step, y: p.value }))
      })),
    [runs, metrics, metric]
  )
  return (
    <div className="compare" data-testid="compare">
      <header>
        <h2>Compare {runs.length} runs</h2>
        <select aria-label="Metric" value={metric} onChange={(e) => setMetric(e.target.value)}>
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </header>
      <div className="compare-chart">
        <ChartControls options={chart} onChange={setChart} />
        <MetricChart title={metric} series={series} options={chart} testId="compare-chart" size="large" />
      </div>
    </div>
  )
}
