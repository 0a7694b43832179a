// Studio-wide preferences a person sets in the UI (today: the review keymap), kept in settings.json.
import type { ServiceContext } from './context'
import type { Handlers } from '../rpc/handlers'

export function settingsHandlers(studio: ServiceContext): Pick<Handlers, 'settings.keymap' | 'settings.setKeymap'> {
  return {
    'settings.keymap': () => ({ review: studio.settings.reviewKeys }),
    'settings.setKeymap': ({ review }) => {
      studio.settings.setReviewKeys(review)
      return { review: studio.settings.reviewKeys }
    }
  }
}
