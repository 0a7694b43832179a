// An experiment report as Markdown (the CLI prints it, the report page exports it).
import type { ExperimentReport } from '../contract/schemas/experiment'
import { PAPER_ROWS } from '../eval/paper-table'

const pct = (x: number | null): string => (x === null ? '–' : (100 * x).toFixed(1))
const num = (x: number | null, digits = 3): string => (x === null ? '–' : x.toFixed(digits))

export function reportMarkdown(report: ExperimentReport): string {
  const e = report.experiment
  const d = e.definition
  const lines = [
    `# ${d.name}`,
    '',
    `Experiment \`${e.id}\` · ${e.status} · snapshot \`${d.snapshotId}\` · backend ${d.backend} · base model ${d.baseModel.kind === 'path' ? `\`${d.baseModel.path}\`` : `tiny-init (seed ${d.baseModel.seed})`} · seed ${d.seed}`,
    '',
    '## Table 1, in miniature (plus RaPR)',
    '',
    '| arm | kind | status | val. accuracy | val. RaPR | ops/answer | train accuracy | train RaPR | curiosity term | response length | steps | rollouts |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...report.table.map(
      (r) =>
        `| ${r.arm} | ${r.kind} | ${r.status} | ${pct(r.accuracy)} | ${pct(r.rapr)} | ${num(r.opsPerAnswer, 2)} | ${pct(r.trainAccuracy)} | ${pct(r.trainRapr)} | ${num(r.curiosity)} | ${num(r.responseLength, 1)} | ${r.steps ?? '–'} | ${r.rollouts} |`
    ),
    '',
    'The paper (7B, V*): ' + PAPER_ROWS.map((r) => `${r.name} ${r.scores.vstar}`).join(' · ') + '.',
    '',
    '## Validation by step',
    '',
    '| arm | step | val. accuracy | val. RaPR | ops/answer |',
    '|---|---|---|---|---|',
    ...report.curves.flatMap((c) =>
      (c.metrics['val/accuracy'] ?? []).map((p, i) => `| ${c.arm} | ${p.step} | ${pct(p.value)} | ${pct(c.metrics['val/rapr']?.[i]?.value ?? null)} | ${num(c.metrics['val/ops_per_answer']?.[i]?.value ?? null, 2)} |`)
    ),
    '',
    '## Curves (last value / points)',
    '',
    ...report.curves.flatMap((c) => [
      `- **${c.arm}**${c.runId ? ` (run \`${c.runId}\`)` : ''}: ` +
        (Object.keys(c.metrics).length === 0 ? 'no metrics yet' : Object.entries(c.metrics).map(([name, pts]) => `${name} ${num(pts.at(-1)?.value ?? null)} (${pts.length})`).join(', '))
    ]),
    '',
    ...report.notes.map((n) => `> ${n}`),
    ''
  ]
  return lines.join('\n')
}
