// GRPO rollouts become traces (origin `rollout`, originDetail: run, step, reward), so a person can
// open what the policy did at step N in the Review screen. The turns are read with the codec
// (src/shared/toolcall: only the last <tool_call> of a turn counts, a 5th call ends the
// trajectory) and each call's crop or frames are recomputed with pixel-ops, exactly as any other
// trace. Ids are derived from where the event sits in the run's files, so reading a log twice
// (a re-attached studio) stores each rollout once.
import { OriginDetail, StudioError, type Sample, type StoredTrace, type TrainerEvent, type TrainingRollout } from '../../shared/contract'
import { IM_END, IM_START, parseTranscript } from '../../shared/toolcall'
import type { Project } from '../project/project'
import { materializeObservations } from '../traces/materialize'
import { jobTracesSql } from '../traces/trace-query'

export type RolloutEvent = Extract<TrainerEvent, { event: 'rollout' }>

/** A trainer names a rollout's sample by sample id, or by the dataset record (a trace id). */
export function rolloutSample(project: Project, id: string): Sample | null {
  try {
    return project.samples.get(id)
  } catch {
    // not a sample id
  }
  if (project.traces.exists(id)) return project.samples.get(project.traces.get(id).sampleId)
  return null
}

export function rolloutTraceId(jobId: string, file: string, offset: number): string {
  const tag = file.endsWith('train.log') ? '' : `-${file.split('/').at(-1)?.replace(/\W+/g, '') ?? ''}`
  return `rollout-${jobId}${tag}-${offset}`
}

export async function storeRollout(
  project: Project,
  run: { jobId: string; title: string; maxOperations: number },
  event: RolloutEvent,
  traceId: string
): Promise<StoredTrace | null> {
  if (project.traces.exists(traceId)) return null
  const sample = rolloutSample(project, event.sampleId)
  if (!sample) throw new StudioError('not_found', `rollout at step ${event.step} names "${event.sampleId}", which is neither a sample nor a trace of this project`)
  const clean = (t: string): string => t.replaceAll(IM_START, '').replaceAll(IM_END, '')
  const transcript = event.turns.map((t) => `${IM_START}assistant\n${clean(t)}${IM_END}\n`).join('')
  const parsed = parseTranscript(transcript, { maxCalls: run.maxOperations })
  const steps = await materializeObservations(project, sample, parsed.steps)
  try {
    return project.traces.insert(
      {
        id: traceId,
        sampleId: sample.id,
        origin: 'rollout',
        originDetail: {
          runId: run.jobId,
          jobId: run.jobId,
          step: event.step,
          model: run.title,
          settings: { reward: event.reward, correct: event.correct, operations: event.operations }
        },
        question: sample.question,
        steps,
        status: 'unreviewed'
      },
      `training:${run.jobId}`,
      'rollout'
    )
  } catch (error) {
    if (error instanceof StudioError && error.code === 'conflict') return null // stored by another studio reading the same log
    throw error
  }
}

/** A run's rollout traces, oldest first, with the reward the trainer gave each. */
export function listRollouts(project: Project, jobId: string, offset: number, limit: number): { total: number; items: TrainingRollout[] } {
  const total = project.db.prepare<{ jobId: string }, { n: number }>(`SELECT count(*) AS n ${jobTracesSql('rollout')}`).get({ jobId })?.n ?? 0
  const rows = project.db
    .prepare<{ jobId: string; limit: number; offset: number }, { id: string; sample_id: string; detail: string; answer: string | null; ops: number }>(
      `SELECT t.id, (SELECT s.id FROM samples s WHERE s.seq = t.sample_seq) AS sample_id, b.origin_detail AS detail, t.answer, t.crops + t.frame_selections AS ops
       ${jobTracesSql('rollout')} ORDER BY b.seq LIMIT @limit OFFSET @offset`
    )
    .all({ jobId, limit, offset })
  const items = rows.map((r) => {
    const detail = OriginDetail.safeParse(JSON.parse(r.detail))
    const settings = detail.success ? (detail.data.settings ?? {}) : {}
    const reward = typeof settings.reward === 'number' ? settings.reward : null
    const correct = typeof settings.correct === 'boolean' ? settings.correct : null
    return { traceId: r.id, sampleId: r.sample_id, step: detail.success ? (detail.data.step ?? null) : null, reward, correct, operations: r.ops, answer: r.answer }
  })
  return { total, items }
}
