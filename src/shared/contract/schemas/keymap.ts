// A person's own keys for the review screen, kept with the studio settings (not per project):
// per command name, the key combos that replace its defaults ("a", "Shift+ArrowLeft", "Ctrl+z").
// Commands the renderer does not know are kept and ignored, so an older studio keeps a newer map.
import { z } from 'zod'

export const KeyCombo = z.string().min(1).max(40)
export const Keymap = z.record(z.string().regex(/^[A-Za-z]{1,40}$/), z.array(KeyCombo).max(4))
export type Keymap = z.infer<typeof Keymap>

export const KeymapSettings = z.object({ review: Keymap })
export type KeymapSettings = z.infer<typeof KeymapSettings>
