// The Review canvas's pure parts: zoom about the pointer, pan limits, fit and 1:1; boxes typed as
// numbers; single-pixel precision on a large image; the image cache's least-recently-used
// eviction; and the keymap (remaps, German and French layouts through event.code).
import { describe, expect, it } from 'vitest'
import { pixelDecimals, toModelBbox } from '../../src/shared/pixel-ops'
import { boxFromFields, dragBox } from '../../src/renderer/src/features/traces/box-drag'
import { LruCache } from '../../src/renderer/src/features/traces/lru'
import { commandsFor, displayCombo, resolveKeys } from '../../src/renderer/src/features/traces/review-keys'
import { actualSize, clampPan, fitViewport, frameOf, MAX_ZOOM, toImagePoint, wheelFactor, zoomAt } from '../../src/renderer/src/features/traces/viewport'

const image = { width: 6000, height: 4000 }
const room = { width: 900, height: 700 }

describe('viewport', () => {
  it('fits the whole image, centred', () => {
    const v = fitViewport(image, room)
    expect(v.zoom).toBeCloseTo(0.15, 12)
    expect(frameOf(v, image)).toEqual({ x: 0, y: 50, width: 900, height: 600 })
  })

  it('zooms about the pointer: the image point under it stays under it', () => {
    const v = fitViewport(image, room)
    const at = { x: 300, y: 200 }
    const before = toImagePoint(frameOf(v, image), at)
    let z = v
    for (let i = 0; i < 12; i++) z = zoomAt(z, wheelFactor(-100, 0), at, image, room)
    expect(z.zoom).toBeGreaterThan(v.zoom * 10)
    const after = toImagePoint(frameOf(z, image), at)
    expect(after.x).toBeCloseTo(before.x, 9)
    expect(after.y).toBeCloseTo(before.y, 9)
  })

  it('bounds the zoom and keeps part of the image on the stage', () => {
    const v = fitViewport(image, room)
    expect(zoomAt(v, 1e9, { x: 0, y: 0 }, image, room).zoom).toBe(MAX_ZOOM)
    expect(zoomAt(v, 1e-9, { x: 0, y: 0 }, image, room).zoom).toBeCloseTo(v.zoom / 2, 12)
    const far = clampPan({ zoom: 1, x: -1e6, y: 1e6 }, image, room)
    const f = frameOf(far, image)
    expect(f.x + f.width).toBeGreaterThanOrEqual(room.width / 4)
    expect(f.y).toBeLessThanOrEqual(room.height - room.height / 4)
  })

  it('shows one image pixel per screen pixel about the centre (1:1)', () => {
    const v = fitViewport(image, room)
    const one = actualSize(v, image, room)
    expect(one.zoom).toBe(1)
    const c = toImagePoint(frameOf(one, image), { x: 450, y: 350 })
    expect(c.x).toBeCloseTo(0.5, 9)
    expect(c.y).toBeCloseTo(0.5, 9)
  })
})

describe('box precision and numbers', () => {
  it('writes boxes on a large image precisely enough for a one-pixel nudge', () => {
    expect(pixelDecimals({ width: 90, height: 60 })).toBe(3)
    expect(pixelDecimals({ width: 640, height: 480 })).toBe(4)
    expect(pixelDecimals(image)).toBe(5)
    const box = toModelBbox([0.31, 0.42, 0.35, 0.47], pixelDecimals(image))
    let b = box
    for (let i = 0; i < 7; i++) b = toModelBbox(dragBox(b, 'move', 1 / image.width, 0), pixelDecimals(image))
    expect(Math.round(b[0] * image.width) - Math.round(box[0] * image.width)).toBe(7)
    expect(Math.round(b[2] * image.width) - Math.round(box[2] * image.width)).toBe(7)
    // at the reference's 3 decimals the same nudges would be lost or doubled
    expect(Math.round(toModelBbox(dragBox(box, 'move', 1 / image.width, 0))[0] * image.width)).not.toBe(Math.round(box[0] * image.width) + 1)
  })

  it('reads a typed box in normalized units or pixels, and refuses what is not a box', () => {
    expect(boxFromFields(['0.1', '0.2', '0.3', '0.4'], 'norm', image)).toEqual({ ok: true, bbox: [0.1, 0.2, 0.3, 0.4] })
    expect(boxFromFields(['600', '800', '1200', '1600'], 'px', image)).toEqual({ ok: true, bbox: [0.1, 0.2, 0.2, 0.4] })
    expect(boxFromFields(['0.3', '0.2', '0.1', '0.4'], 'norm', image)).toMatchObject({ ok: false, message: 'x2 must be right of x1 and y2 below y1' })
    expect(boxFromFields(['0', '0', '7000', '10'], 'px', image)).toMatchObject({ ok: false, message: 'inside the image: x in 0…6000, y in 0…4000' })
    expect(boxFromFields(['a', '0', '1', '1'], 'norm', image)).toMatchObject({ ok: false })
    expect(boxFromFields(['', '0', '1', '1'], 'norm', image)).toMatchObject({ ok: false })
  })
})

describe('image cache', () => {
  it('evicts the least recently used entry, by count and by cost learned later', () => {
    const c = new LruCache<string>(3, 100)
    c.set('a', 'A')
    c.set('b', 'B')
    c.set('c', 'C')
    expect(c.get('a')).toBe('A') // a is now the most recent
    c.set('d', 'D')
    expect(c.keys()).toEqual(['c', 'a', 'd'])
    c.setCost('c', 'C', 60)
    c.setCost('a', 'A', 30)
    expect(c.keys()).toEqual(['c', 'a', 'd'])
    c.setCost('d', 'D', 40) // 130 > 100: c (least recent) goes
    expect(c.keys()).toEqual(['a', 'd'])
    expect(c.cost).toBe(70)
    c.setCost('c', 'C', 5) // evicted: ignored
    expect(c.cost).toBe(70)
    c.set('huge', 'H', 1000) // the newest stays, however costly
    expect(c.keys()).toEqual(['huge'])
  })
})

const key = (k: string, code: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {}) => ({ key: k, code, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods })

describe('review keymap', () => {
  const defaults = resolveKeys({})

  it('matches US keys by character, arrows to the nudge first and then navigation', () => {
    expect(commandsFor(key('[', 'BracketLeft'), defaults)).toEqual(['prevStep'])
    expect(commandsFor(key('}', 'BracketRight', { shiftKey: true }), defaults)).toEqual(['moveDown'])
    expect(commandsFor(key('ArrowDown', 'ArrowDown'), defaults)).toEqual(['nudgeDown', 'next'])
    expect(commandsFor(key('z', 'KeyZ', { ctrlKey: true }), defaults)).toEqual(['undo'])
    expect(commandsFor(key('Z', 'KeyZ', { shiftKey: true }), defaults)).toEqual(['redo'])
    expect(commandsFor(key('a', 'KeyA', { altKey: true }), defaults)).toEqual([])
  })

  it('finds [ ] { } on a German layout (ü and + on those keys, the brackets behind AltGr)', () => {
    expect(commandsFor(key('ü', 'BracketLeft'), defaults)).toEqual(['prevStep'])
    expect(commandsFor(key('+', 'BracketRight'), defaults)).toEqual(['zoomIn']) // + is typed: it zooms, as the character says
    expect(commandsFor(key('Ü', 'BracketLeft', { shiftKey: true }), defaults)).toEqual(['moveUp'])
    expect(commandsFor(key('*', 'BracketRight', { shiftKey: true }), defaults)).toEqual(['moveDown'])
    // AltGr+8 / AltGr+9 type [ ] (Windows reports AltGr as Ctrl+Alt)
    expect(commandsFor(key('[', 'Digit8', { ctrlKey: true, altKey: true }), defaults)).toEqual(['prevStep'])
    expect(commandsFor(key(']', 'Digit9'), defaults)).toEqual(['nextStep'])
    expect(commandsFor(key('{', 'Digit7', { ctrlKey: true, altKey: true }), defaults)).toEqual(['moveUp'])
  })

  it('finds them on a French layout (dead ^ and $ on those keys, the brackets behind AltGr)', () => {
    expect(commandsFor(key('Dead', 'BracketLeft'), defaults)).toEqual(['prevStep'])
    expect(commandsFor(key('$', 'BracketRight'), defaults)).toEqual(['nextStep'])
    expect(commandsFor(key('[', 'Digit5', { ctrlKey: true, altKey: true }), defaults)).toEqual(['prevStep'])
    expect(commandsFor(key('}', 'Equal', { ctrlKey: true, altKey: true }), defaults)).toEqual(['moveDown'])
    // AZERTY letters are matched by the letter typed: a is accept wherever a is
    expect(commandsFor(key('a', 'KeyQ'), defaults)).toEqual(['accept'])
  })

  it('applies a remap: the new key runs the command, the old one no longer does, and a taken key leaves its default owner', () => {
    const keys = resolveKeys({ accept: ['q'], reject: ['j'], unknownCommand: ['m'] })
    expect(commandsFor(key('q', 'KeyQ'), keys)).toEqual(['accept'])
    expect(commandsFor(key('a', 'KeyA'), keys)).toEqual([])
    expect(commandsFor(key('j', 'KeyJ'), keys)).toEqual(['reject']) // j left "next"
    expect(keys.find((k) => k.command === 'next')).toMatchObject({ combos: ['ArrowDown'], custom: false })
    expect(keys.find((k) => k.command === 'accept')).toMatchObject({ combos: ['q'], custom: true })
    expect(displayCombo('Ctrl+Z')).toBe('Ctrl+Shift+z')
    expect(displayCombo('Space')).toBe('Space')
  })
})
