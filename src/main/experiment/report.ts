// An experiment's report: per arm, its curves over training steps (from the runs' metrics and its
// validation evaluations) and one row in the shape of the paper's Table 1 plus RaPR (from its
// last evaluated model); as JSON and as Markdown.
import type { ArmEvaluation, EvalMetrics, Experiment, ExperimentReport } from '../../shared/contract'
import type { Project } from '../project/project'
import type { TrainingSupervisor } from '../training/supervisor'

/** The curves the report draws: TRL's names and the studio's (DESIGN.md "Training backends"). */
export const REPORT_METRICS = ['accuracy', 'rapr', 'ops_per_response', 'rewards/curiosity/mean', 'completions/mean_length', 'reward', 'loss'] as const

/** Validation curves, from the arms' evaluations (Evaluate on the snapshot's validation split). */
export const VALIDATION_METRICS = { accuracy: 'val/accuracy', rapr: 'val/rapr', opsPerAnswer: 'val/ops_per_answer' } as const

/** One point per evaluated step: the metrics over every source evaluated at that step, weighted by samples. */
function evaluatedSteps(evaluations: readonly ArmEvaluation[]): Array<{ step: number; metrics: Pick<EvalMetrics, 'accuracy' | 'rapr' | 'opsPerAnswer'>; evalRunId: string | null }> {
  const steps = [...new Set(evaluations.filter((e) => e.status === 'done' && e.metrics).map((e) => e.step))].sort((a, b) => a - b)
  return steps.map((step) => {
    const done = evaluations.filter((e) => e.step === step && e.status === 'done' && e.metrics && e.metrics.count > 0)
    const n = done.reduce((a, e) => a + e.metrics!.count, 0)
    const mean = (k: 'accuracy' | 'rapr' | 'opsPerAnswer'): number => (n === 0 ? 0 : done.reduce((a, e) => a + e.metrics![k] * e.metrics!.count, 0) / n)
    return { step, metrics: { accuracy: mean('accuracy'), rapr: mean('rapr'), opsPerAnswer: mean('opsPerAnswer') }, evalRunId: done[0]?.evalRunId ?? null }
  })
}

export function experimentReport(project: Project, supervisor: TrainingSupervisor, experiment: Experiment): ExperimentReport {
  const curves: ExperimentReport['curves'] = []
  const table: ExperimentReport['table'] = []
  // every GRPO arm starts from the warm start's final model: its evaluation is their step 0
  const warmStart = experiment.arms.find((a) => a.kind === 'warm-start')
  const start = warmStart ? evaluatedSteps(warmStart.evaluations).at(-1) : undefined
  for (const arm of experiment.arms) {
    const run = arm.runId ? supervisor.runs.get(arm.runId) : null
    const metrics: Record<string, Array<{ step: number; value: number }>> = {}
    if (run) {
      for (const p of project.jobs.metrics(run.id, REPORT_METRICS)) (metrics[p.name] ??= []).push({ step: p.step, value: p.value })
    }
    const evaluated = evaluatedSteps(arm.evaluations)
    const points = arm.kind !== 'warm-start' && start && evaluated.length > 0 ? [{ ...start, step: 0 }, ...evaluated] : evaluated
    for (const [key, name] of Object.entries(VALIDATION_METRICS) as Array<[keyof typeof VALIDATION_METRICS, string]>) {
      if (points.length > 0) metrics[name] = points.map((p) => ({ step: p.step, value: p.metrics[key] }))
    }
    curves.push({ arm: arm.name, runId: arm.runId, metrics })
    const last = (name: string): number | null => metrics[name]?.at(-1)?.value ?? null
    const final = evaluated.at(-1)
    table.push({
      arm: arm.name,
      kind: arm.kind,
      status: arm.blocked ? `waiting: ${arm.blocked}` : arm.status,
      accuracy: final?.metrics.accuracy ?? null,
      rapr: final?.metrics.rapr ?? null,
      opsPerAnswer: final?.metrics.opsPerAnswer ?? null,
      trainAccuracy: last('accuracy'),
      trainRapr: last('rapr'),
      curiosity: last('rewards/curiosity/mean'),
      responseLength: last('completions/mean_length'),
      steps: run?.step ?? null,
      rollouts: run?.rollouts ?? 0,
      evalRunId: final?.evalRunId ?? null
    })
  }
  return {
    experiment,
    curves,
    table,
    notes: [
      'Validation accuracy, RaPR and operations per answer: Evaluate (greedy, the paper\'s scoring) on the snapshot\'s validation split, of each arm\'s last model; the val/* curves add its checkpoints. The GRPO arms\' step 0 is the warm start\'s final model. Train columns are the runs\' own metrics at their last step (sampled rollouts on the train split).',
      'The warm-start arm is SFT: it has no rollouts and no reward curves.'
    ]
  }
}
