// A map that forgets the least recently used entries beyond a count and a cost budget (for
// images: their pixels). An entry's cost may be learned later (an image's size is known once it
// has decoded); the newest entry is never evicted, however costly.
export class LruCache<V> {
  private readonly entries = new Map<string, { value: V; cost: number }>()
  private total = 0

  constructor(
    readonly maxEntries: number,
    readonly maxCost = Infinity
  ) {}

  get size(): number {
    return this.entries.size
  }

  get cost(): number {
    return this.total
  }

  /** The value, now the most recently used. */
  get(key: string): V | undefined {
    const e = this.entries.get(key)
    if (!e) return undefined
    this.entries.delete(key)
    this.entries.set(key, e)
    return e.value
  }

  has(key: string): boolean {
    return this.entries.has(key)
  }

  set(key: string, value: V, cost = 0): void {
    this.delete(key)
    this.entries.set(key, { value, cost })
    this.total += cost
    this.evict()
  }

  /** Records what an entry costs once known (ignored when it has been evicted or replaced). */
  setCost(key: string, value: V, cost: number): void {
    const e = this.entries.get(key)
    if (!e || e.value !== value) return
    this.total += cost - e.cost
    e.cost = cost
    this.evict()
  }

  delete(key: string): void {
    const e = this.entries.get(key)
    if (!e) return
    this.total -= e.cost
    this.entries.delete(key)
  }

  keys(): string[] {
    return [...this.entries.keys()]
  }

  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.entries.size <= 1 || (this.entries.size <= this.maxEntries && this.total <= this.maxCost)) break
      this.total -= e.cost
      this.entries.delete(key)
    }
  }
}
