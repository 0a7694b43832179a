// The Train screen's data, kept fresh by the studio's events (training.changed for runs,
// training.metrics and training.log for the runs on screen), not by polling.
import { useCallback, useEffect, useRef, useState } from 'react'
import type { MetricSample, TrainingRun } from '../../../../shared/contract'
import { useStudio } from '../../app/studio-context'

const MAX_LOG_LINES = 2000

/** Every run, newest first; refetched when any run changes (queue positions move together). */
export function useRuns(onError: (message: string) => void): TrainingRun[] {
  const { client } = useStudio()
  const [runs, setRuns] = useState<TrainingRun[]>([])
  const pending = useRef(false)
  useEffect(() => {
    let live = true
    const load = (): void => {
      if (pending.current) return
      pending.current = true
      client.call('training.list', {}).then(
        (r) => {
          pending.current = false
          if (live) setRuns(r)
        },
        (e: Error) => {
          pending.current = false
          onError(e.message)
        }
      )
    }
    load()
    const off = client.on('training.changed', (run) => {
      setRuns((rs) => (rs.some((r) => r.id === run.id) ? rs.map((r) => (r.id === run.id ? run : r)) : [run, ...rs]))
      load()
    })
    return () => {
      live = false
      off()
    }
  }, [client, onError])
  return runs
}

/** A run's points (long curves downsampled by the studio) and how many each curve really has. */
export interface RunMetrics {
  points: MetricSample[]
  stored: Record<string, number>
}
export type SeriesByRun = Record<string, RunMetrics>

/** Points per curve the charts ask for: about two per pixel column of the widest chart. */
export const CHART_POINTS = 4000

function merge(existing: MetricSample[], points: MetricSample[]): MetricSample[] {
  const byKey = new Map(existing.map((p) => [`${p.name}\u0000${p.step}`, p]))
  for (const p of points) byKey.set(`${p.name}\u0000${p.step}`, p)
  return [...byKey.values()]
}

/** Metrics of the given runs, live. */
export function useMetrics(ids: readonly string[], onError: (message: string) => void): SeriesByRun {
  const { client } = useStudio()
  const [data, setData] = useState<SeriesByRun>({})
  const key = ids.join(',')
  useEffect(() => {
    const wanted = key ? key.split(',') : []
    setData({})
    if (wanted.length === 0) return
    let live = true
    client.call('training.metrics', { ids: wanted, maxPoints: CHART_POINTS }).then(
      (r) => live && setData(Object.fromEntries(r.runs.map((run) => [run.id, { points: run.points, stored: run.stored ?? {} }]))),
      (e: Error) => onError(e.message)
    )
    const off = client.on('training.metrics', ({ jobId, points }) => {
      if (!wanted.includes(jobId)) return
      setData((d) => ({ ...d, [jobId]: { points: merge(d[jobId]?.points ?? [], points), stored: d[jobId]?.stored ?? {} } }))
    })
    return () => {
      live = false
      off()
    }
  }, [client, key, onError])
  return data
}

/** The tail of a run's log, then every new line as the trainer writes it. */
export function useLog(id: string | null, onError: (message: string) => void): string[] {
  const { client } = useStudio()
  const [lines, setLines] = useState<string[]>([])
  const append = useCallback((more: string[]) => setLines((l) => [...l, ...more].slice(-MAX_LOG_LINES)), [])
  useEffect(() => {
    setLines([])
    if (!id) return
    let live = true
    const early: string[] = []
    let loaded = false
    const off = client.on('training.log', ({ jobId, lines: more }) => {
      if (jobId !== id) return
      if (loaded) append(more)
      else early.push(...more)
    })
    client.call('training.logs', { id, tail: 500 }).then(
      (r) => {
        if (!live) return
        loaded = true
        // lines that arrived while the tail loaded may already be in it
        const tail = r.lines
        const fresh = early.filter((l) => !tail.includes(l))
        setLines([...tail, ...fresh].slice(-MAX_LOG_LINES))
      },
      (e: Error) => onError(e.message)
    )
    return () => {
      live = false
      off()
    }
  }, [client, id, append, onError])
  return lines
}
