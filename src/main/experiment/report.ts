// An experiment's report: per arm, its curves over training steps (from the runs' metrics) and
// one row in the shape of the paper's Table 1 plus RaPR; as JSON and as Markdown.
import type { Experiment, ExperimentReport } from '../../shared/contract'
import type { Project } from '../project/project'
import type { TrainingSupervisor } from '../training/supervisor'

/** The curves the report draws: TRL's names and the studio's (DESIGN.md "Training backends"). */
export const REPORT_METRICS = ['accuracy', 'rapr', 'ops_per_response', 'rewards/curiosity/mean', 'completions/mean_length', 'reward', 'loss'] as const

export function experimentReport(project: Project, supervisor: TrainingSupervisor, experiment: Experiment): ExperimentReport {
  const curves: ExperimentReport['curves'] = []
  const table: ExperimentReport['table'] = []
  for (const arm of experiment.arms) {
    const run = arm.runId ? supervisor.runs.get(arm.runId) : null
    const metrics: Record<string, Array<{ step: number; value: number }>> = {}
    if (run) {
      for (const p of project.jobs.metrics(run.id, REPORT_METRICS)) (metrics[p.name] ??= []).push({ step: p.step, value: p.value })
    }
    curves.push({ arm: arm.name, runId: arm.runId, metrics })
    const last = (name: string): number | null => metrics[name]?.at(-1)?.value ?? null
    table.push({
      arm: arm.name,
      kind: arm.kind,
      status: arm.blocked ? `waiting: ${arm.blocked}` : arm.status,
      accuracy: null,
      rapr: null,
      opsPerAnswer: null,
      trainAccuracy: last('accuracy'),
      trainRapr: last('rapr'),
      curiosity: last('rewards/curiosity/mean'),
      responseLength: last('completions/mean_length'),
      steps: run?.step ?? null,
      rollouts: run?.rollouts ?? 0,
      evalRunId: null
    })
  }
  return {
    experiment,
    curves,
    table,
    notes: [
      'Validation accuracy, RaPR and operations per answer come from Evaluate on the snapshot\'s validation split at the arms\' checkpoints; they stay empty until a TRL checkpoint can be loaded for inference (issue 13, route a). Until then the train-time columns are the runs\' own metrics at their last step.',
      'The warm-start arm is SFT: it has no rollouts and no reward curves.'
    ]
  }
}
