// Every key: the studio's, then the review screen's as they are now (a person's remaps included).
// A review key is changed here: "change", then press the new key; the map is a studio setting.
import { useEffect, useState } from 'react'
import type { Keymap } from '../../../../shared/contract'
import { useStudio } from '../../app/studio-context'
import { ErrorBanner } from '../../app/widgets'
import { comboOf, displayCombo, formatCombo, reviewKeymap, setReviewKeymap, useActiveKeys, type ReviewCommand } from '../traces/review-keys'

export const SHORTCUTS: Array<[string, string]> = [
  ['j / ↓', 'next sample'],
  ['k / ↑', 'previous sample'],
  ['←  →', 'previous / next frame (video)'],
  ['1 … 5', 'Samples / Review / Playground / Evaluate / Train'],
  ['p', 'open, create or switch project'],
  ['i', 'import samples or a benchmark'],
  ['s', 'synthesize traces from annotated samples'],
  ['?', 'show or hide this help'],
  ['Esc', 'close']
]

export function HelpOverlay({ onClose }: { onClose: () => void }): React.JSX.Element {
  const { client } = useStudio()
  const keys = useActiveKeys()
  const [listening, setListening] = useState<ReviewCommand | null>(null)
  const [error, setError] = useState<string | null>(null)

  const save = (map: Keymap): void => {
    setError(null)
    client.call('settings.setKeymap', { review: map }).then(
      (saved) => setReviewKeymap(saved.review),
      (e: Error) => setError(`Could not save the keys: ${e.message}`)
    )
  }

  // while listening, the next key press is the new key (Esc: keep the old one)
  useEffect(() => {
    if (!listening) return
    const onKey = (event: KeyboardEvent): void => {
      event.preventDefault()
      event.stopPropagation()
      if (event.key === 'Escape') return setListening(null)
      const combo = comboOf(event)
      if (!combo) return
      setListening(null)
      save({ ...reviewKeymap(), [listening]: [formatCombo(combo)] })
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  })

  const reset = (command: ReviewCommand): void => {
    const { [command]: _dropped, ...rest } = reviewKeymap()
    save(rest)
  }

  return (
    <div className="overlay" role="dialog" aria-label="Keyboard shortcuts" onClick={onClose}>
      <div className="panel" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map(([k, what]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h3>
          Review (2) <span className="muted small">· “change”, then press the new key; kept in the studio settings</span>
        </h3>
        <ErrorBanner message={error} />
        <table aria-label="Review shortcuts">
          <tbody>
            {keys.map((k) => (
              <tr key={k.command} data-command={k.command} data-keys={k.combos.join(' ')} className={k.custom ? 'custom' : ''}>
                <td>
                  {listening === k.command ? <span className="muted">press a key… (Esc: keep)</span> : k.combos.length ? <kbd>{k.combos.map(displayCombo).join(' / ')}</kbd> : <span className="muted">none</span>}
                </td>
                <td>{k.help}</td>
                <td className="key-actions">
                  <button className="link" aria-label={`change the key of ${k.command}`} onClick={() => setListening(k.command)}>
                    change
                  </button>
                  {k.custom && (
                    <button className="link" aria-label={`default key of ${k.command}`} onClick={() => reset(k.command)}>
                      default
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {keys.some((k) => k.custom) && (
          <button className="link" onClick={() => save({})}>
            Restore every default key
          </button>
        )}
      </div>
    </div>
  )
}
