// The answer type of an answer given as text (a sample JSONL line without `answer_type`, an
// imported trace's gold answer). Its own file: the trace import's worker loads it without the contract.
import type { AnswerType } from '../../shared/contract'

export function inferAnswerType(answer: string): AnswerType {
  if (/^[A-K]$/i.test(answer.trim())) return 'multiple_choice'
  if (/^-?\d+(\.\d+)?$/.test(answer.trim())) return 'number'
  return 'free_text'
}
