// Time-ordered ids (UUIDv7): every id sorts after the ones made before it, also many within one
// millisecond, so new rows append to a unique index; they are well-formed and never repeat.
import { describe, expect, it } from 'vitest'
import { orderedId } from '../../src/main/store/ordered-id'

describe('orderedId', () => {
  it('starts with the time it was made', () => {
    const before = Date.now()
    const id = orderedId()
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16)
    expect(ms).toBeGreaterThanOrEqual(before)
    expect(ms).toBeLessThanOrEqual(Date.now()) // first in this file: no burst has borrowed a millisecond yet
  })

  it('sorts in creation order, within a millisecond too, and never repeats', () => {
    const ids = Array.from({ length: 20_000 }, () => orderedId())
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids.slice(0, 50)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
