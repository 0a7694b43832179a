// The Pixel Reasoner reward (README.md here cites the paper's equations and the released code):
// r' = correctness + curiosity bonus (driven by the group's RaPR) + penalty for operations beyond N.
// Pure: the Python twin (resources/trainer/pixel_reasoner/reward.py) is checked against the same
// vectors (resources/test-vectors/reward.json), so the studio's previews and the trainers agree.
import type { RewardSpec } from '../contract/schemas/training'

export type { RewardSpec }

export const DEFAULT_REWARD: RewardSpec = { formula: 'paper', alpha: 0.5, beta: 0.05, targetRapr: 0.3, freeOperations: 1, curiosity: true }

/** What the reward needs to know about one rollout of a query. */
export interface RolloutOutcome {
  /** r(x, y): the final answer is correct */
  correct: boolean
  /** visual operations the rollout called, failed ones included (as the released code counts) */
  operations: number
  /** a video query: the released formula divides by 1.5 instead of 2 */
  video?: boolean
  /** the rollout ended on an operation error it never fixed: the released code scores it 0 */
  endedOnError?: boolean
  /** a wrong answer math-verify could not read (scoring.ts answerUnreadable): the released code
   * scores its correctness -1 and still adds the bonus and penalty */
  unreadable?: boolean
}

export interface RolloutReward {
  correctness: number
  /** already weighted: what is added to the reward */
  curiosity: number
  /** already weighted, <= 0 */
  penalty: number
  total: number
}

export interface GroupReward {
  /** RaPR(x): the share of the group's rollouts that used at least one operation */
  rapr: number
  rewards: RolloutReward[]
}

/** RaPR over one query's group of rollouts (paper Eq. 5, estimated on the group). */
export function rapr(group: readonly RolloutOutcome[]): number {
  if (group.length === 0) throw new RangeError('RaPR needs at least one rollout')
  return group.filter((o) => o.operations > 0).length / group.length
}

/** The curiosity bonus of one rollout that used operations, given its group's RaPR. */
function curiosityBonus(groupRapr: number, outcome: RolloutOutcome, spec: RewardSpec): number {
  if (!spec.curiosity || outcome.operations <= 0) return 0
  const shortfall = Math.max(spec.targetRapr - groupRapr, 0)
  if (spec.formula === 'paper') return spec.alpha * shortfall // alpha * max(H - RaPR, 0) * 1_PR(y)
  // released code: max(0.3 - rapr, 0) / 2.0 (1.5 for video) / rapr * 0.25 (alpha is not used)
  return (shortfall / (outcome.video ? 1.5 : 2)) / groupRapr * 0.25
}

/** Rewards of one query's group (GRPO's unit): each rollout's parts and total. */
export function groupRewards(group: readonly RolloutOutcome[], spec: RewardSpec = DEFAULT_REWARD): GroupReward {
  const groupRapr = rapr(group)
  const rewards = group.map((o): RolloutReward => {
    if (!Number.isInteger(o.operations) || o.operations < 0) throw new RangeError(`operations must be a whole number >= 0, got ${o.operations}`)
    const released = spec.formula === 'released'
    const correctness = o.correct ? (released && o.endedOnError === true ? 0 : 1) : released && o.unreadable === true ? -1 : 0
    const curiosity = curiosityBonus(groupRapr, o, spec)
    // beta * min(N - n_vo(y), 0); the released -0.05 * (ncall - 1) for ncall > 0 is the same at N = 1
    const penalty = spec.beta * Math.min(spec.freeOperations - o.operations, 0)
    return { correctness, curiosity, penalty: penalty === 0 ? 0 : penalty /* never -0 */, total: correctness + curiosity + penalty }
  })
  return { rapr: groupRapr, rewards }
}

/** GRPO's advantage as the paper trains it: reward minus the group mean, no std normalisation. */
export function groupAdvantages(totals: readonly number[]): number[] {
  if (totals.length === 0) return []
  const mean = totals.reduce((a, b) => a + b, 0) / totals.length
  return totals.map((t) => t - mean)
}
