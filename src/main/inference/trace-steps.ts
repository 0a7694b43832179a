// The ONE conversion from a model run (the agent loop's steps, crops already stored as media) to
// the codec's trace steps (src/shared/toolcall/steps.ts). The Playground, batch inference and
// evaluation all store their runs through it, so a run opens in Review like any other trace and
// renders back (renderMessages) to the very text the model wrote.
//
// Calls are re-read from their raw `<tool_call>` block with the codec's own parser: the agent
// loop parsed the same text with the same rules, so tool name, box units and arguments come out
// identical without a second rule set. Observations are read back the same way: the announced
// text plus one image placeholder per stored image is exactly what parseObservation expects.
import { StudioError, type InferenceStep } from '../../shared/contract'
import { CropToolName, IMAGE_PLACEHOLDER, parseAssistantTurn, parseObservation, type ObservationStep, type Step } from '../../shared/toolcall'

function observationOf(step: Extract<InferenceStep, { kind: 'result' }>): ObservationStep {
  const hashes = step.images.map((i) => i.media.hash)
  const content = step.text + IMAGE_PLACEHOLDER.repeat(hashes.length)
  const observation = parseObservation(content, (n) => hashes[n - 1] ?? '', 1)
  if (observation.result.type === 'error') throw new StudioError('internal', `an operation result could not be read back as a crop or frames: ${JSON.stringify(step.text)}`)
  const { raw: _raw, ...withoutRaw } = observation
  return withoutRaw
}

function callOf(step: Extract<InferenceStep, { kind: 'operation' }>): Step {
  // read as the agent loop read it (the reference's semantics: extra keys, target 0, a 5th number)
  const cropToolName = CropToolName.safeParse(step.name)
  const call = parseAssistantTurn(step.raw, { reference: true, ...(cropToolName.success ? { cropToolName: cropToolName.data } : {}) }).steps.at(-1)
  if (!call || (call.kind !== 'crop' && call.kind !== 'select_frames')) {
    throw new StudioError('internal', `an executed call no longer parses as one: ${JSON.stringify(step.raw)}`)
  }
  return call
}

/**
 * Agent-loop steps -> codec steps:
 * - thought / answer: the text as written;
 * - operation: the crop / select_frames call; result: its observation with the stored media;
 * - error after an operation of the same turn: the call ran and failed -> an error observation;
 * - error with code too_many_calls: the 5th call that ended the run, unexecuted (no observation);
 * - any other error: the unreadable call as written, then the error observation the model saw.
 */
export function traceStepsOf(steps: readonly InferenceStep[]): Step[] {
  const out: Step[] = []
  let previous: InferenceStep | undefined
  for (const step of steps) {
    switch (step.kind) {
      case 'thought':
        out.push({ kind: 'thought', text: step.text })
        break
      case 'answer':
        out.push({ kind: 'answer', text: step.text, boxed: step.boxed })
        break
      case 'operation':
        out.push(callOf(step))
        break
      case 'result':
        out.push(observationOf(step))
        break
      case 'error': {
        const executed = previous?.kind === 'operation' && previous.turn === step.turn
        const code = step.code
        if (executed) out.push({ kind: 'observation', result: { type: 'error', ...(code ? { code } : {}), message: step.message } })
        else if (code === 'too_many_calls') out.push({ kind: 'error', code, message: step.message, rawText: step.raw })
        else {
          out.push({ kind: 'error', code: code ?? 'malformed_call', message: step.message, rawText: step.raw })
          out.push({ kind: 'observation', result: { type: 'error', ...(code ? { code } : {}), message: step.message } })
        }
        break
      }
    }
    previous = step
  }
  return out
}
