// Decoded images by URL, shared by the canvas previews and the prefetch of the next trace:
// media are content-addressed, so a URL's pixels never change. Least recently used images go
// first, beyond 64 images or 200 megapixels (a 6000x4000 photo is 24).
import { LruCache } from './lru'

const cache = new LruCache<Promise<HTMLImageElement>>(64, 200_000_000)
const decoded = new WeakSet<Promise<HTMLImageElement>>()

/** The image at this URL was decoded here (a preview, the read-ahead): a new element with it draws in the next frame. */
export function isDecoded(url: string): boolean {
  const found = cache.get(url)
  return found !== undefined && decoded.has(found)
}

export function loadImage(url: string): Promise<HTMLImageElement> {
  const found = cache.get(url)
  if (found) return found
  const img = new Image()
  img.src = url
  const loading = img.decode().then(() => img)
  cache.set(url, loading)
  loading.then(
    () => {
      decoded.add(loading)
      cache.setCost(url, loading, img.naturalWidth * img.naturalHeight)
    },
    () => cache.delete(url)
  )
  return loading
}
