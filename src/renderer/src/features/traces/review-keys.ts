// Every command of the review screen with its keys: one registry that the key handler and the
// help overlay both read, so the overlay cannot list a key that does nothing. A person's own
// keys (studio settings, `settings.keymap`) replace a command's defaults; a key taken by a remap
// leaves the command it belonged to. Symbols match by the character typed, and failing that by
// the physical key of a US layout (`event.code`), so `[ ] { }` work on German and French
// keyboards (where they sit behind AltGr, and ü / ^ are on those keys).
import { useEffect, useRef, useSyncExternalStore } from 'react'
import type { Keymap } from '../../../../shared/contract'

export type ReviewCommand =
  | 'next'
  | 'prev'
  | 'accept'
  | 'reject'
  | 'needsFix'
  | 'undo'
  | 'redo'
  | 'editText'
  | 'nextStep'
  | 'prevStep'
  | 'moveUp'
  | 'moveDown'
  | 'newBox'
  | 'newThought'
  | 'newFrames'
  | 'deleteStep'
  | 'wrongLook'
  | 'toggleFrame'
  | 'prevImage'
  | 'nextImage'
  | 'diff'
  | 'copy'
  | 'search'
  | 'snapshots'
  | 'zoomFit'
  | 'zoomActual'
  | 'zoomIn'
  | 'zoomOut'
  | 'nudgeLeft'
  | 'nudgeRight'
  | 'nudgeUp'
  | 'nudgeDown'

/** A key as KeyboardEvent.key (' ' for Space), with or without Ctrl (Cmd on a Mac). */
export interface Combo {
  key: string
  ctrl: boolean
}

interface KeyEntry {
  command: ReviewCommand
  /** combos as text: "a", "Z" (Shift+z), "Ctrl+z", "ArrowLeft", "Space" */
  defaults: string[]
  help: string
}

export const REVIEW_KEYS: readonly KeyEntry[] = [
  { command: 'nudgeLeft', defaults: ['ArrowLeft'], help: 'with a box selected: move it one image pixel left (Shift: 10)' },
  { command: 'nudgeRight', defaults: ['ArrowRight'], help: 'with a box selected: move it one image pixel right (Shift: 10)' },
  { command: 'nudgeUp', defaults: ['ArrowUp'], help: 'with a box selected: move it one image pixel up (Shift: 10)' },
  { command: 'nudgeDown', defaults: ['ArrowDown'], help: 'with a box selected: move it one image pixel down (Shift: 10)' },
  { command: 'next', defaults: ['j', 'ArrowDown'], help: 'next trace' },
  { command: 'prev', defaults: ['k', 'ArrowUp'], help: 'previous trace' },
  { command: 'accept', defaults: ['a'], help: 'accept, then the next trace' },
  { command: 'reject', defaults: ['r'], help: 'reject, then the next trace' },
  { command: 'needsFix', defaults: ['x'], help: 'needs fix, then the next trace' },
  { command: 'undo', defaults: ['z', 'Ctrl+z'], help: 'undo (any trace, status changes too)' },
  { command: 'redo', defaults: ['Z', 'Ctrl+Z', 'Ctrl+y'], help: 'redo' },
  { command: 'editText', defaults: ['e'], help: 'edit the text of the selected step (Esc or Ctrl+Enter: done)' },
  { command: 'nextStep', defaults: [']'], help: 'select the next step' },
  { command: 'prevStep', defaults: ['['], help: 'select the previous step' },
  { command: 'moveDown', defaults: ['}'], help: 'move the selected step down' },
  { command: 'moveUp', defaults: ['{'], help: 'move the selected step up' },
  { command: 'newBox', defaults: ['b'], help: 'new crop box on the shown image, after the selected step (or drag on the image)' },
  { command: 'newThought', defaults: ['t'], help: 'new thought after the selected step' },
  { command: 'newFrames', defaults: ['v'], help: 'new frame selection with the shown frame (video)' },
  { command: 'deleteStep', defaults: ['Delete', 'Backspace'], help: 'delete the selected step (a call with its result)' },
  { command: 'wrongLook', defaults: ['w'], help: 'mark the selected call as a deliberate wrong look, or back' },
  { command: 'toggleFrame', defaults: ['Space'], help: 'add / remove the shown frame in the selected frame selection (over the image: hold to pan)' },
  { command: 'prevImage', defaults: ['ArrowLeft'], help: 'previous image or frame' },
  { command: 'nextImage', defaults: ['ArrowRight'], help: 'next image or frame' },
  { command: 'zoomFit', defaults: ['f'], help: 'fit the image to the panel' },
  { command: 'zoomActual', defaults: ['o'], help: 'one image pixel per screen pixel (1:1)' },
  { command: 'zoomIn', defaults: ['+', '='], help: 'zoom in (or the wheel, centred on the pointer)' },
  { command: 'zoomOut', defaults: ['-'], help: 'zoom out' },
  { command: 'diff', defaults: ['d'], help: 'diff against the original (revision 1), or back to the steps' },
  { command: 'copy', defaults: ['c'], help: 'model run: edit a copy as a new human trace' },
  { command: 'search', defaults: ['/'], help: 'search traces' },
  { command: 'snapshots', defaults: ['n'], help: 'show or hide dataset snapshots (s is synthesize, everywhere)' }
]

export function parseCombo(text: string): Combo {
  const ctrl = text.startsWith('Ctrl+') && text.length > 5
  const key = ctrl ? text.slice(5) : text
  return { key: key === 'Space' ? ' ' : key, ctrl }
}

export function formatCombo(combo: Combo): string {
  return `${combo.ctrl ? 'Ctrl+' : ''}${combo.key === ' ' ? 'Space' : combo.key}`
}

const ARROWS: Record<string, string> = { ArrowLeft: '←', ArrowRight: '→', ArrowUp: '↑', ArrowDown: '↓', Delete: 'Del' }

/** As the help overlay shows a combo. */
export function displayCombo(text: string): string {
  const c = parseCombo(text)
  return `${c.ctrl ? 'Ctrl+' : ''}${ARROWS[c.key] ?? (c.key === ' ' ? 'Space' : /^[A-Z]$/.test(c.key) ? `Shift+${c.key.toLowerCase()}` : c.key)}`
}

/** The combo a key press makes, or null for a lone modifier. */
export function comboOf(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey'>): Combo | null {
  if (['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'Dead', 'Unidentified'].includes(event.key)) return null
  return { key: event.key, ctrl: event.ctrlKey || event.metaKey }
}

/** Where a symbol sits on a US keyboard: the fallback for layouts that type something else there. */
const US_KEYS: Record<string, { code: string; shift: boolean }> = {
  '[': { code: 'BracketLeft', shift: false },
  ']': { code: 'BracketRight', shift: false },
  '{': { code: 'BracketLeft', shift: true },
  '}': { code: 'BracketRight', shift: true },
  '/': { code: 'Slash', shift: false }
}

type KeyEvent = Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>

function byCharacter(event: KeyEvent, combo: Combo): boolean {
  if (event.key !== combo.key) return false
  const ctrl = event.ctrlKey || event.metaKey
  // AltGr arrives as Ctrl+Alt on Windows: a symbol typed with it is that symbol
  if (event.ctrlKey && event.altKey && !combo.ctrl && combo.key.length === 1) return true
  return combo.ctrl === ctrl && !event.altKey
}

function byPosition(event: KeyEvent, combo: Combo): boolean {
  const us = US_KEYS[combo.key]
  return Boolean(us && event.code === us.code && event.shiftKey === us.shift && !combo.ctrl && !event.ctrlKey && !event.metaKey && !event.altKey)
}

export interface ActiveKey {
  command: ReviewCommand
  combos: string[]
  help: string
  /** changed by the person */
  custom: boolean
}

/** The registry with `overrides` applied: a remapped key leaves any command that had it by default. */
export function resolveKeys(overrides: Keymap): ActiveKey[] {
  const known = new Set<string>(REVIEW_KEYS.map((k) => k.command))
  const taken = new Set(Object.entries(overrides).filter(([command]) => known.has(command)).flatMap(([, combos]) => combos.map((c) => formatCombo(parseCombo(c)))))
  return REVIEW_KEYS.map((k) => {
    const own = overrides[k.command]
    if (own) return { command: k.command, combos: own, help: k.help, custom: true }
    return { command: k.command, combos: k.defaults.filter((c) => !taken.has(formatCombo(parseCombo(c)))), help: k.help, custom: false }
  })
}

/** Every command the event asks for, in registry order: by the character typed, else by position. */
export function commandsFor(event: KeyEvent, keys: readonly ActiveKey[]): ReviewCommand[] {
  const parsed = keys.map((k) => ({ command: k.command, combos: k.combos.map(parseCombo) }))
  const typed = parsed.filter((k) => k.combos.some((c) => byCharacter(event, c))).map((k) => k.command)
  if (typed.length > 0) return typed
  return parsed.filter((k) => k.combos.some((c) => byPosition(event, c))).map((k) => k.command)
}

// ---- the active keymap, set from the studio settings

let overrides: Keymap = {}
let active = resolveKeys(overrides)
const listeners = new Set<() => void>()

export function setReviewKeymap(map: Keymap): void {
  overrides = map
  active = resolveKeys(map)
  listeners.forEach((l) => l())
}

export function reviewKeymap(): Keymap {
  return overrides
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** The active keys, re-rendering when the person changes them. */
export function useActiveKeys(): ActiveKey[] {
  return useSyncExternalStore(subscribe, () => active)
}

/** Whether a key press goes into a field (no shortcut then). */
export function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return Boolean(el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)))
}

/**
 * Runs the handler of each command's keys while mounted (not while typing, not over a dialog).
 * A handler that returns false declines (a nudge with no box selected), and the next command on
 * that key gets it. `capture` handlers run before every other listener's.
 */
export function useReviewKeys(handlers: Partial<Record<ReviewCommand, (event: KeyboardEvent) => void | boolean>>, options: { capture?: boolean } = {}): void {
  const ref = useRef(handlers)
  ref.current = handlers
  const capture = Boolean(options.capture)
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || typing(event.target) || document.querySelector('.overlay')) return
      for (const command of commandsFor(event, active)) {
        const run = ref.current[command]
        if (!run || run(event) === false) continue
        event.preventDefault()
        return
      }
    }
    window.addEventListener('keydown', onKey, capture)
    return () => window.removeEventListener('keydown', onKey, capture)
  }, [capture])
}
