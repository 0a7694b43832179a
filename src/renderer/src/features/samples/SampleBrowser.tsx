import { useCallback, useEffect, useState } from 'react'
import { Panel } from '../../app/error-boundary'
import type { ProjectInfo, Sample, SampleSummary } from '../../../../shared/contract'
import { useStudio } from '../../app/studio-context'
import { useShortcut } from '../../app/use-shortcut'
import { SampleViewer } from './SampleViewer'

const PAGE = 500

export function SampleBrowser({ project, onError }: { project: ProjectInfo; onError: (message: string) => void }): React.JSX.Element {
  const { client, mediaUrl } = useStudio()
  const [items, setItems] = useState<SampleSummary[]>([])
  const [total, setTotal] = useState(0)
  const [index, setIndex] = useState(0)
  const [sample, setSample] = useState<Sample | null>(null)

  useEffect(() => {
    client.call('samples.list', { offset: 0, limit: PAGE }).then(
      (page) => {
        setItems(page.items)
        setTotal(page.total)
      },
      (e: Error) => onError(e.message)
    )
  }, [client, project.path, project.counts.samples, onError]) // reload when an import changed the count

  const selected = items[index]
  useEffect(() => {
    if (!selected) return
    let live = true
    client.call('samples.get', { id: selected.id }).then(
      (s) => live && setSample(s),
      (e: Error) => onError(e.message)
    )
    return () => {
      live = false
    }
  }, [client, selected, onError])

  const move = useCallback((delta: number) => setIndex((i) => Math.min(Math.max(i + delta, 0), Math.max(items.length - 1, 0))), [items.length])
  useShortcut(['j', 'ArrowDown'], () => move(1))
  useShortcut(['k', 'ArrowUp'], () => move(-1))

  useEffect(() => {
    document.querySelector(`[data-sample-index="${index}"]`)?.scrollIntoView({ block: 'nearest' })
  }, [index])

  return (
    <div className="workspace">
      <nav className="sample-list" aria-label="Samples">
        <div className="list-header">
          Samples <span className="muted">{total}</span>
        </div>
        <ul>
          {items.map((s, i) => (
            <li key={s.id} data-sample-index={i} aria-selected={i === index} className={i === index ? 'selected' : ''} onClick={() => setIndex(i)}>
              <img src={mediaUrl(s.thumb.hash)} alt="" loading="lazy" />
              <div>
                <div className="sample-id">
                  {s.id} <span className={`tag ${s.kind}`}>{s.kind}</span>
                </div>
                <div className="question">{s.question.split('\n')[0]}</div>
              </div>
            </li>
          ))}
        </ul>
      </nav>
      <section className="viewer">{sample && selected?.id === sample.id ? (
          <Panel name="sample-viewer">
            <SampleViewer sample={sample} />
          </Panel>
        ) : (
          <div className="muted pad">Loading...</div>
        )}</section>
    </div>
  )
}
