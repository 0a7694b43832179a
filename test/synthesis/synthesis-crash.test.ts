// kill -9 in the middle of `pixel-studio synthesize` (the built CLI, a real child process), then
// `--resume`: no trace is half-written, none is duplicated, none is lost, and every trace is
// the one an uninterrupted run of the same seed writes.
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import type { SynthesisResult } from '../../src/shared/contract'
import { Project } from '../../src/main/project/project'
import { seededRandom } from '../../src/main/project/sample-data'
import { TemplateNarrator } from '../../src/main/synthesis/narrators/template-narrator'
import { createSynthesisJob, SynthesisSpec } from '../../src/main/synthesis/synthesis-jobs'
import { runSynthesisJob } from '../../src/main/synthesis/synthesis-run'
import { renderObservations } from '../../src/main/traces/materialize'
import { Step } from '../../src/shared/toolcall/steps'
import { CLI, assertBuilt } from '../helpers/serve-process'
import { tempDir } from '../helpers/temp'
import { bodySteps, FIRST_STATE_SQL } from '../../src/main/traces/trace-columns'
import { jobTracesSql } from '../../src/main/traces/trace-query'

const root = tempDir()
const SAMPLES = 300

async function bigProject(dir: string): Promise<void> {
  const project = Project.create(dir)
  const images = []
  for (const color of ['#336699', '#996633', '#339966']) images.push(await project.media.put(await sharp({ create: { width: 800, height: 600, channels: 3, background: color } }).jpeg().toBuffer()))
  const rand = seededRandom(77)
  for (let i = 0; i < SAMPLES; i++) {
    const w = 0.03 + rand() * 0.1
    const x = rand() * (1 - w)
    const y = rand() * (1 - w)
    project.samples.insert({
      id: `s${String(i).padStart(4, '0')}`,
      kind: 'image',
      question: 'What number is on the small tag?',
      answer: String(i),
      answerType: 'number',
      source: 'many',
      media: [images[i % images.length]!],
      cues: [{ kind: 'bbox', imageIndex: 0, bbox: [x, y, x + w, y + w], sourceWidth: 800, sourceHeight: 600 }]
    })
  }
  project.close()
}

function jobTraces(project: Project, jobId: string): Array<{ id: string; sampleId: string; steps: string }> {
  return project.db
    .prepare<[string], { id: string; sampleId: string; steps: string; first_state: string | null }>(
      `SELECT t.id, (SELECT s.id FROM samples s WHERE s.seq = t.sample_seq) AS sampleId, b.steps, ${FIRST_STATE_SQL} ${jobTracesSql('synthesized', '?')} ORDER BY sampleId`
    )
    .all(jobId)
    .map(({ first_state, ...t }) => ({ ...t, steps: bodySteps(t.steps, first_state) }))
}

describe('a crash mid-synthesis', () => {
  it('loses and duplicates nothing after kill -9, and --resume completes the job', { timeout: 240_000 }, async () => {
    assertBuilt()
    const dir = join(root, 'project')
    const home = join(root, 'home')
    await bigProject(dir)

    const child = spawn(process.execPath, [CLI, '--home', home, '--project', dir, 'synthesize', '--source', 'many', '--seed', '3'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    await new Promise<void>((resolve, reject) => {
      const watch = (d: Buffer): void => {
        out += d.toString()
        const done = [...out.matchAll(/(\d+)\/300 samples/g)].map((m) => Number(m[1]))
        if ((done.at(-1) ?? 0) >= 60) child.kill('SIGKILL')
        if (out.includes('succeeded:')) reject(new Error('the job finished before it could be killed; make it longer'))
      }
      child.stdout.on('data', watch)
      child.stderr.on('data', watch)
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`synthesize exited ${code} before the kill:\n${out}`))))
    })

    const project = Project.open(dir)
    try {
      const [job] = project.jobs.list({ kind: 'synthesis' })
      expect(job).toMatchObject({ status: 'running', pid: child.pid }) // what a killed process leaves behind
      const jobId = job!.id
      const before = jobTraces(project, jobId)
      expect(before.length).toBeGreaterThan(0)
      expect(before.length).toBeLessThan(SAMPLES)
      // every stored trace is whole: each call has its observation (a planned size; the pixels
      // are derived), and rendering it on demand gives media of the project
      for (const [k, t] of before.entries()) {
        const steps = (JSON.parse(t.steps) as unknown[]).map((s) => Step.parse(s))
        steps.forEach((s, i) => {
          if (s.kind !== 'crop') return
          const next = steps[i + 1]
          expect(next?.kind === 'observation' ? next.result.type : 'none').toBe('crop')
          expect(next?.kind === 'observation' && next.result.type === 'crop' ? next.result.image : 'none').toBeUndefined()
        })
        expect(steps.at(-1)?.kind).toBe('answer')
        if (k >= 3) continue
        for (const s of await renderObservations(project, project.samples.get(t.sampleId), steps)) {
          if (s.kind === 'observation' && s.result.type === 'crop') expect(project.media.get(s.result.image ?? '')).toBeDefined()
        }
      }

      const resumed = spawnSync(process.execPath, [CLI, '--home', home, '--project', dir, '--json', 'synthesize', '--resume', jobId], { encoding: 'utf8', timeout: 180_000 })
      expect(resumed.status, resumed.stderr).toBe(0)
      const result = JSON.parse(resumed.stdout) as SynthesisResult
      expect(result).toMatchObject({ jobId, status: 'succeeded', total: SAMPLES, alreadyPresent: before.length, created: SAMPLES - before.length, skipped: 0 })
      const after = jobTraces(project, jobId)
      expect(after).toHaveLength(SAMPLES)
      expect(new Set(after.map((t) => t.sampleId)).size).toBe(SAMPLES)
      expect(project.jobs.get(jobId)).toMatchObject({ status: 'succeeded', pid: null })

      // the same traces an uninterrupted run with the same seed writes
      const reference = createSynthesisJob(project, SynthesisSpec.parse({ settings: { seed: 3 }, samples: { source: 'many' } }))
      await runSynthesisJob(project, reference.id, new TemplateNarrator())
      const expected = new Map(jobTraces(project, reference.id).map((t) => [t.sampleId, t.steps]))
      for (const t of after) expect(t.steps).toBe(expected.get(t.sampleId))
    } finally {
      project.close()
    }
  })
})
