// Scripts for the tiny model: what the tests and `make-tiny` demos drive the agent loop with.
const call = (name: string, args: string): string => `<tool_call>\n{"name": "${name}", "arguments": ${args}}\n</tool_call>`

export const TINY_SCRIPTS = {
  /** a crop of the centre, then an answer */
  cropThenAnswer: [
    `The sign is too small to read. Now I will zoom in to look clearer at the centre.\n${call('crop_image_normalized', '{"bbox_2d": [0.25, 0.25, 0.75, 0.75], "target_image": 1}')}`,
    'The cropped image shows the letter clearly. The answer is \\boxed{B}.'
  ],
  /** a tight crop of the centre (a ~2.7x zoom at eval sizes), then an answer: the eval tests' zoom */
  zoomCentre: [
    `The number is too small to read. Now I will zoom in to look clearer at the centre.\n${call('crop_image_normalized', '{"bbox_2d": [0.45, 0.45, 0.55, 0.55], "target_image": 1}')}`,
    'The zoomed image shows the number clearly. \\boxed{B}'
  ],
  /** three frames of a 16-frame video, then an answer */
  selectFramesThenAnswer: [
    `I need to check the middle of the video.\n${call('select_frames', '{"target_frames": [3, 8, 12]}')}`,
    'In the selected frames the ball moves left. \\boxed{C}'
  ],
  /** a call whose JSON is broken (a missing comma), then an answer */
  malformedJson: [
    `Let me zoom.\n<tool_call>\n{"name": "crop_image_normalized", "arguments": {"bbox_2d": [0.1, 0.1, 0.5, 0.5] "target_image": 1}}\n</tool_call>`,
    'I could not zoom, so I answer from the full image: \\boxed{A}.'
  ],
  /** pixel coordinates far outside the image, then an answer */
  boxOutOfRange: [`Zooming into the corner.\n${call('crop_image_normalized', '{"bbox_2d": [1200, 900, 1500, 1100], "target_image": 1}')}`, 'The zoom failed. \\boxed{D}'],
  /** a call by the import-only alias `crop_image`: the reference's KeyError observation, then an answer */
  aliasCall: [`Zooming.\n${call('crop_image', '{"bbox_2d": [0.25, 0.25, 0.75, 0.75], "target_image": 1}')}`, 'No zoom, so from the full image: \\boxed{E}'],
  /** a call the model writes on past in the same turn: not a call (no </tool_call> stop string), an answer */
  pastTheCall: [`Zooming.\n${call('crop_image_normalized', '{"bbox_2d": [0.25, 0.25, 0.75, 0.75], "target_image": 1}')}\nActually it is \\boxed{F}`],
  /** target_image 0 and an extra key, run as the reference would (Python indexing, extras ignored) */
  wrapTarget: [`Zooming.\n${call('crop_image_normalized', '{"bbox_2d": [0.25, 0.25, 0.75, 0.75], "target_image": 0, "why": "look"}')}`, 'Now I see it. \\boxed{B}'],
  /** the same call every turn: the loop must stop at its operation limit */
  endlessCalls: [`Zoom again.\n${call('crop_image_normalized', '{"bbox_2d": [0.2, 0.2, 0.8, 0.8], "target_image": 1}')}`],
  /** a plain answer, no operation */
  answerOnly: ['It is plainly visible. \\boxed{42}']
} satisfies Record<string, string[]>

export type TinyScriptName = keyof typeof TINY_SCRIPTS
