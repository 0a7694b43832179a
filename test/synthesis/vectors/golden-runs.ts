// The synthesis runs the golden traces were made with: the default mix, and every trace
// self-correcting (so each recipe, wrong boxes and re-selected frames included, is covered).
export const GOLDEN_RUNS = [
  { settings: { seed: 7 } },
  { settings: { seed: 11, imageSelfCorrection: 1, videoSelfCorrection: 1 } },
  { settings: { seed: 12, imageSelfCorrection: 1, videoSelfCorrection: 1 } }
] as const
