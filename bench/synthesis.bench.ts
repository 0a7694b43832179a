// Trace synthesis with the template narrator, the two rows of issue 15's table, each beside a
// baseline measured in the same run: raw sharp cutting the looks of the same traces (the rows,
// their sizes and flags: synthesis-rows.ts; `npm run bench -- scale` prints the same
// measurement as JSON metrics). Printed here in detail: wall and CPU time, where the time goes
// (phase timings) and the recipes used.
// A trace stores boxes and frame picks; its pixels are rendered on demand. What that costs when
// someone needs them (an export, the editor) is printed too: rendering the same traces' crops
// through renderObservations (decoded views kept, the crop cache filled).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Sample, StoredTrace } from '../src/shared/contract'
import { TRAIN_PROFILE } from '../src/shared/pixel-ops/profiles'
import { ViewCache } from '../src/main/pixel-ops/view-cache'
import { Project } from '../src/main/project/project'
import { renderObservations } from '../src/main/traces/materialize'
import type { BenchReporter, BenchSuite, Measurement } from './harness'
import { measureSynthesis, pool, synthesisRows } from './synthesis-rows'

/** What the pixels cost when wanted: renderObservations over the traces (an export does this). */
async function renderOnDemand(project: Project, traces: readonly StoredTrace[]): Promise<number> {
  const views = new ViewCache(TRAIN_PROFILE.view)
  const samples = new Map<string, Sample>()
  await pool(traces, 4, async (t) => {
    const sample = samples.get(t.sampleId) ?? project.samples.get(t.sampleId)
    samples.set(sample.id, sample)
    await renderObservations(project, sample, t.steps, TRAIN_PROFILE, views)
  })
  return traces.length
}

const suite: BenchSuite = {
  name: 'synthesis',
  async run(report: BenchReporter) {
    const root = mkdtempSync(join(tmpdir(), 'pixel-studio-bench-synth-'))
    try {
      for (const row of synthesisRows()) {
        const project = Project.create(join(root, row.kind))
        try {
          const m = await measureSynthesis(project, row)
          const baseline: Measurement = { label: `${row.label}: raw sharp, the looks of ${m.baseline.traces} of them`, units: m.baseline.traces, ms: m.baseline.wallMs }
          report.compare({ label: `${row.label}: synthesis job (${m.traces} traces)`, units: m.traces, ms: m.wallMs }, baseline)
          report.note({ label: `${row.label}: synthesis job, per CPU second (user+system)`, units: m.traces, ms: m.cpuMs })
          report.note({ label: `${row.label}: raw sharp, per CPU second (user+system)`, units: m.baseline.traces, ms: m.baseline.cpuMs })
          console.log(`${''.padEnd(14)} recipes ${JSON.stringify(m.byRecipe)}`)
          for (const [phase, ms] of Object.entries(m.timings)) report.note({ label: `  ${phase} (summed over samples)`, units: m.traces, ms })
          report.compare(await report.time(`${row.label}: their pixels rendered on demand`, () => renderOnDemand(project, m.sample)), baseline)
        } finally {
          project.close()
        }
      }
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }
}

export default suite
