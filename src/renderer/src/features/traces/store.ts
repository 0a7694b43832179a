// A minimal external store: state that outlives the components showing it (the review screen
// unmounts when you switch screens and must come back where it was).
import { useSyncExternalStore } from 'react'

export interface Store<T> {
  get(): T
  set(next: T | ((current: T) => T)): void
  subscribe(listener: () => void): () => void
}

export function createStore<T>(initial: T): Store<T> {
  let state = initial
  const listeners = new Set<() => void>()
  return {
    get: () => state,
    set(next) {
      const value = typeof next === 'function' ? (next as (current: T) => T)(state) : next
      if (Object.is(value, state)) return
      state = value
      for (const l of listeners) l()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
}

export function useStore<T>(store: Store<T>): T {
  return useSyncExternalStore(store.subscribe, store.get, store.get)
}

/** One part of a store's state (a field, kept by reference): a change elsewhere does not re-render. */
export function useStorePart<T, P>(store: Store<T>, part: (state: T) => P): P {
  const get = (): P => part(store.get())
  return useSyncExternalStore(store.subscribe, get, get)
}
