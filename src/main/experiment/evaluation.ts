// Validation evaluation of an experiment's arms. Once an arm's run succeeded, its final model (or,
// with `evaluation.checkpoints: every`, each checkpoint too) is registered as a checkpoint model
// (served by serve_checkpoint.py) and Evaluate runs it on the validation side of the
// experiment's snapshot: the same agent loop, scoring and stored traces as any eval run, so
// every evaluated answer opens in Review. One evaluation at a time per project (the inference
// manager holds one model); a cancelled or interrupted one resumes from its eval run.
import { EVAL_DEFAULT_SETTINGS, StudioError, type ArmEvaluation, type Experiment, type ExperimentDefinition, type InferenceSettings, type TrainingRun } from '../../shared/contract'
import { runEval } from '../eval/eval-run'
import type { InferenceManager } from '../inference/inference-manager'
import type { ModelRegistry } from '../inference/model-registry'
import type { Project } from '../project/project'

/** What evaluating needs from the studio: only a studio that runs the training queue evaluates. */
export interface EvaluationHost {
  readonly models: Pick<ModelRegistry, 'addCheckpoint'>
  readonly inference: InferenceManager
  readonly log: (line: string) => void
}

/** The models a succeeded run leaves to evaluate, by step: its checkpoints (with `every`) and its final model. */
export function plannedModels(def: ExperimentDefinition, run: TrainingRun): Array<{ step: number; model: string }> {
  if (def.evaluation.checkpoints === 'none') return []
  const byStep = new Map<number, string>()
  if (def.evaluation.checkpoints === 'every') for (const c of run.checkpoints) byStep.set(c.step, c.path)
  const lastStep = Math.max(run.step ?? 0, ...run.checkpoints.map((c) => c.step))
  // the final model replaces a checkpoint of the same step: the same weights, saved as the model
  if (run.modelDir) byStep.set(lastStep, run.modelDir)
  else if (byStep.size === 0 && run.checkpoints.length > 0) byStep.set(lastStep, run.checkpoints.at(-1)!.path)
  return [...byStep].sort((a, b) => a[0] - b[0]).map(([step, model]) => ({ step, model }))
}

/** The sample sources on the validation side of a snapshot (one eval run per source and model). */
export function validationSources(project: Project, snapshotId: string): string[] {
  return [...new Set(project.snapshots.sampleIds(snapshotId, 'validation').map((id) => project.samples.get(id).source))].sort()
}

/** An arm's evaluations with what its run now leaves added as pending (kept: what was already planned or done). */
export function withPlanned(existing: readonly ArmEvaluation[], planned: ReadonlyArray<{ step: number; model: string }>, sources: readonly string[]): ArmEvaluation[] {
  const out = [...existing]
  for (const { step, model } of planned) {
    for (const source of sources) {
      if (out.some((e) => e.step === step && e.source === source)) continue
      out.push({ step, model, source, evalRunId: null, status: 'pending', error: null, metrics: null })
    }
  }
  return out.sort((a, b) => a.step - b.step || a.source.localeCompare(b.source))
}

/** The agent settings of an arm's evaluation: Evaluate's defaults, the definition's, and the arm's operation budget (none offered for text-only). */
export function evaluationSettings(def: ExperimentDefinition, armName: string): InferenceSettings {
  const arm = def.arms.find((a) => a.name === armName)
  const maxOperations = arm?.kind === 'warm-start' ? EVAL_DEFAULT_SETTINGS.maxOperations : (arm?.grpo?.maxOperations ?? def.grpo.settings.maxOperations ?? EVAL_DEFAULT_SETTINGS.maxOperations)
  return { ...EVAL_DEFAULT_SETTINGS, ...def.evaluation.settings, maxOperations }
}

export type EvaluationUpdate = (armName: string, step: number, source: string, patch: Partial<ArmEvaluation>) => Promise<void>

/**
 * Runs one evaluation to its end. `update` records progress in the experiment file (the eval
 * run's id as soon as it exists, so an interrupted evaluation resumes it). A model busy with
 * another batch leaves it pending (tried again at the next advance).
 */
export async function runArmEvaluation(project: Project, host: EvaluationHost, experiment: Experiment, armName: string, evaluation: ArmEvaluation, update: EvaluationUpdate, signal: AbortSignal): Promise<void> {
  const def = experiment.definition
  const key = (patch: Partial<ArmEvaluation>): Promise<void> => update(armName, evaluation.step, evaluation.source, patch)
  await key({ status: 'running', error: null })
  try {
    const model = host.models.addCheckpoint(evaluation.model, { name: `${def.name} · ${armName} · step ${evaluation.step}` })
    let recorded = evaluation.evalRunId
    const run = await runEval(
      project,
      host.inference,
      {
        source: evaluation.source,
        modelId: model.id,
        runId: evaluation.evalRunId ?? undefined,
        label: `${armName} @ ${evaluation.step}`,
        split: { snapshotId: def.snapshotId, side: 'validation' },
        settings: evaluationSettings(def, armName),
        limit: def.evaluation.limit
      },
      {
        signal,
        onProgress: () => {},
        onChange: ({ runId }) => {
          if (recorded !== runId) {
            recorded = runId
            void key({ evalRunId: runId })
          }
        }
      }
    )
    await key({ evalRunId: run.id, status: 'done', metrics: run.metrics, error: null })
  } catch (error) {
    const busy = error instanceof StudioError && error.code === 'conflict'
    const message = error instanceof Error ? error.message : String(error)
    if (busy || signal.aborted) await key({ status: 'pending', error: busy ? message : null })
    else {
      host.log(`experiment ${experiment.id}: evaluating ${armName} at step ${evaluation.step} failed: ${message}`)
      await key({ status: 'failed', error: message })
    }
  }
}
