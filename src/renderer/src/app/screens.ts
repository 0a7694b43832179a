// The studio's screens, their number keys and how one screen sends a person to another (the eval
// results open a trace in the review screen, the playground opens its run there, ...).
export const SCREENS = [
  { id: 'samples', key: '1', label: 'Samples' },
  { id: 'traces', key: '2', label: 'Review' },
  { id: 'playground', key: '3', label: 'Playground' },
  { id: 'eval', key: '4', label: 'Evaluate' },
  { id: 'training', key: '5', label: 'Train' },
  { id: 'experiments', key: '6', label: 'Experiments' }
] as const

export type ScreenId = (typeof SCREENS)[number]['id']

/** Where to go, with what to show there. */
export interface NavTarget {
  screen: ScreenId
  /** traces: open this trace */
  traceId?: string
  /** samples / playground: select this sample */
  sampleId?: string
  /** training / eval: select this job or run */
  jobId?: string
}
