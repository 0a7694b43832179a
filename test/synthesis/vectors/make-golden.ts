// Writes sample-project-traces.json: the traces synthesis made on the sample project with fixed
// seeds BEFORE crops became derived data (run on main 7f7325f, where every crop was rendered and
// stored). synthesis-golden.test.ts checks today's traces against it: same text, boxes, frame
// picks, sizes, statuses and flags. Crop hashes are recorded with the pixel-ops version they
// were made with. Regenerate only on purpose: `npx tsx test/synthesis/vectors/make-golden.ts`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Project } from '../../../src/main/project/project'
import { addSampleData } from '../../../src/main/project/sample-data'
import { PIXEL_OPS_VERSION } from '../../../src/main/pixel-ops/image'
import { TemplateNarrator } from '../../../src/main/synthesis/narrators/template-narrator'
import { createSynthesisJob, SynthesisSpec } from '../../../src/main/synthesis/synthesis-jobs'
import { runSynthesisJob } from '../../../src/main/synthesis/synthesis-run'
import { jobTracesSql } from '../../../src/main/traces/trace-query'
import { GOLDEN_RUNS } from './golden-runs'

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'pixel-studio-golden-'))
  const project = Project.create(join(root, 'p'))
  try {
    await addSampleData(project)
    const runs = []
    for (const run of GOLDEN_RUNS) {
      const job = createSynthesisJob(project, SynthesisSpec.parse({ settings: run.settings, samples: {} }))
      await runSynthesisJob(project, job.id, new TemplateNarrator())
      const ids = project.db.prepare<[string], { id: string }>(`SELECT t.id ${jobTracesSql('synthesized', '?')} ORDER BY t.seq`).all(job.id)
      const traces = ids.map(({ id }) => {
        const t = project.traces.get(id)
        return { sampleId: t.sampleId, recipe: t.originDetail?.recipe, status: t.status, flags: t.flags, steps: t.steps }
      })
      traces.sort((a, b) => a.sampleId.localeCompare(b.sampleId))
      runs.push({ settings: run.settings, traces })
    }
    writeFileSync(join(import.meta.dirname, 'sample-project-traces.json'), `${JSON.stringify({ pixelOps: PIXEL_OPS_VERSION, runs }, null, 1)}\n`)
  } finally {
    project.close()
    rmSync(root, { recursive: true, force: true })
  }
}

void main()
