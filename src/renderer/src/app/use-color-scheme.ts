// The OS's light or dark setting, live: the styles follow it on their own (prefers-color-scheme);
// canvas drawings, which cannot read CSS, redraw when it changes.
import { useEffect, useState } from 'react'

const QUERY = '(prefers-color-scheme: light)'

export function useColorScheme(): 'light' | 'dark' {
  const [light, setLight] = useState(() => window.matchMedia(QUERY).matches)
  useEffect(() => {
    const media = window.matchMedia(QUERY)
    const change = (): void => setLight(media.matches)
    media.addEventListener('change', change)
    return () => media.removeEventListener('change', change)
  }, [])
  return light ? 'light' : 'dark'
}
