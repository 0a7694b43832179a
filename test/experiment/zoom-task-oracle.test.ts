// The experiment's zoom task and its oracle, with real sharp: the digit extractor is measured on
// seeded scenes, seen as the model sees them and as the crop tool returns the cue.
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { zoomOracle, readSign } from '../../src/main/experiment/oracle'
import { addZoomTaskSamples, zoomScene, ZOOM_TASK_SOURCE } from '../../src/main/experiment/zoom-task'
import { decodeForModel } from '../../src/main/pixel-ops'
import { Project } from '../../src/main/project/project'
import { CPU_MINI } from '../../src/shared/experiment/presets'
import { tempDir } from '../helpers/temp'

const root = tempDir('pixel-studio-zoom-')

describe('zoom task oracle', () => {
  it('cpu-mini: the full view (as the model sees it) is unreadable, the cue crop is readable', async () => {
    const oracle = await zoomOracle(CPU_MINI.task, { count: 40, seed: 3 })
    expect(oracle.modelView).toEqual({ width: 112, height: 112 })
    expect(oracle.fullView).toBeLessThanOrEqual(oracle.chance + 0.1)
    expect(oracle.crop).toBeGreaterThanOrEqual(0.9)
  }, 120_000)

  it('the extractor is not rigged: the same scenes seen 4x larger read from the full view', async () => {
    const oracle = await zoomOracle({ ...CPU_MINI.task, modelMaxPixels: 448 * 448 }, { count: 20, seed: 3 })
    expect(oracle.modelView).toEqual({ width: 448, height: 448 })
    expect(oracle.fullView).toBeGreaterThanOrEqual(0.9)
  }, 120_000)

  it('scenes are deterministic per seed and their digits vary', async () => {
    const a = await zoomScene(CPU_MINI.task, 5, 0)
    const b = await zoomScene(CPU_MINI.task, 5, 0)
    expect(a.bytes.equals(b.bytes)).toBe(true)
    const answers = new Set<string>()
    for (let i = 0; i < 20; i++) answers.add((await zoomScene(CPU_MINI.task, 5, i)).answer)
    expect(answers.size).toBeGreaterThanOrEqual(6)
    expect(readSign(await decodeForModel(a.bytes, null))).toBe(a.answer)
  }, 60_000)

  it('adds the task to a project as samples with their cue (idempotent)', async () => {
    const project = Project.create(join(root, 'p'))
    try {
      const ids = await addZoomTaskSamples(project, CPU_MINI.task, { count: 5, seed: 2 })
      expect(await addZoomTaskSamples(project, CPU_MINI.task, { count: 5, seed: 2 })).toEqual(ids)
      expect(project.samples.count('image', ZOOM_TASK_SOURCE)).toBe(5)
      const sample = project.samples.get(ids[0]!)
      expect(sample.cues[0]).toMatchObject({ kind: 'bbox', sourceWidth: 448, sourceHeight: 448 })
      expect(sample.answer).toMatch(/^\d$/)
    } finally {
      project.close()
    }
  }, 60_000)
})
