// Projects on real SQLite files and a real media folder.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { Settings } from '../../src/main/settings/settings'
import { Studio } from '../../src/main/app/studio'
import { Project } from '../../src/main/project/project'
import { migrations } from '../../src/main/store/migrations'
import { tempDir } from '../helpers/temp'

const root = tempDir()

async function png(width: number, height: number, color = '#ff0000'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } }).png().toBuffer()
}

describe('project folder', () => {
  it('creates, closes and reopens with WAL and the latest schema', async () => {
    const dir = join(root, 'p1')
    const project = Project.create(dir, 'First')
    const ref = await project.media.put(await png(40, 30))
    project.close()
    const again = Project.open(dir)
    expect(again.info()).toMatchObject({ name: 'First', schemaVersion: migrations.length, counts: { media: 1, samples: 0 } })
    expect(again.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(again.media.get(ref.hash)).toEqual(ref)
    again.close()
  })

  it('refuses a project written by a newer studio, without touching it', () => {
    const dir = join(root, 'p2')
    Project.create(dir).close()
    const raw = new Database(join(dir, 'project.sqlite'))
    raw.pragma(`user_version = ${migrations.length + 5}`)
    raw.close()
    expect(() => Project.open(dir)).toThrow(/newer Pixel Studio/)
    const check = new Database(join(dir, 'project.sqlite'))
    expect(check.pragma('user_version', { simple: true })).toBe(migrations.length + 5)
    check.close()
  })

  it('says clearly when a folder is not a project', () => {
    expect(() => Project.open(join(root, 'nothing-here'))).toThrow(/is not a Pixel Studio project/)
  })

  it('stores media by content: the same bytes once, a corrupt image never', async () => {
    const project = Project.create(join(root, 'p3'))
    const bytes = await png(64, 48, '#00ff00')
    const a = await project.media.put(bytes)
    const b = await project.media.put(Buffer.from(bytes))
    expect(a).toEqual(b)
    expect(a).toMatchObject({ mime: 'image/png', width: 64, height: 48 })
    expect(readFileSync(project.media.pathOf(a)).equals(bytes)).toBe(true)
    await expect(project.media.put(Buffer.from('definitely not an image'))).rejects.toThrow(/not a readable image/)
    const truncated = bytes.subarray(0, 40)
    await expect(project.media.put(truncated)).rejects.toThrow(/not a readable image|unsupported/)
    expect(project.info().counts.media).toBe(1)
    // only validated hashes resolve to files: no path can be smuggled through a media URL
    expect(project.media.resolve('../../etc/passwd')).toBeUndefined()
    expect(project.media.resolve('a'.repeat(64))).toBeUndefined()
    project.close()
  })

  it('rejects a sample whose cue points past its media, and keeps nothing of it', async () => {
    const project = Project.create(join(root, 'p4'))
    const ref = await project.media.put(await png(100, 100))
    const base = { id: 's1', kind: 'image' as const, question: 'q', answer: 'a', answerType: 'free_text' as const, source: 't', media: [ref] }
    expect(() => project.samples.insert({ ...base, cues: [{ kind: 'bbox', imageIndex: 1, bbox: [0.1, 0.1, 0.2, 0.2], sourceWidth: 100, sourceHeight: 100 }] })).toThrow(/cue targets image 1/)
    expect(() => project.samples.insert({ ...base, cues: [{ kind: 'frames', frames: [3] }] })).toThrow(/beyond the 1 frames/)
    expect(project.samples.count()).toBe(0)
    project.samples.insert({ ...base, cues: [] })
    expect(project.samples.get('s1')).toMatchObject({ id: 's1', media: [ref], cues: [] })
    expect(() => project.samples.get('missing')).toThrow(/no sample with id "missing"/)
    project.close()
  })
})

describe('settings and the embedded default', () => {
  it('creates the sample project on first start and reopens the last project afterwards', async () => {
    const home = join(root, 'home1')
    const first = new Studio({ home, log: () => {} })
    const info = await first.openDefault()
    expect(info.path).toBe(join(home, 'projects', 'sample-project'))
    expect(info.counts.samples).toBe(12)
    const other = join(root, 'other-project')
    await first.createProject(other, false)
    first.close()

    const second = new Studio({ home, log: () => {} })
    expect((await second.openDefault()).path).toBe(other)
    expect(second.settings.recent.map((r) => r.path)).toEqual([other, info.path])
    second.close()
  })

  it('generates the same sample data from the same seed', async () => {
    const hashes = async (name: string): Promise<string[]> => {
      const studio = new Studio({ home: join(root, name), log: () => {} })
      await studio.createProject(join(root, name, 'p'), true)
      const page = studio.project.samples.list({ offset: 0, limit: 100 })
      studio.close()
      return page.items.map((s) => `${s.id}:${s.thumb.hash}:${s.answer}`)
    }
    expect(await hashes('seed-a')).toEqual(await hashes('seed-b'))
  })

  it('sets a corrupt settings file aside instead of trusting it', () => {
    const home = join(root, 'home2')
    const settings = new Settings(home)
    settings.rememberProject('/x', 'x')
    writeFileSync(settings.file, '{"version": 1, "recent": "oops"}')
    const lines: string[] = []
    const reread = new Settings(home, (l) => lines.push(l))
    expect(reread.recent).toEqual([])
    expect(lines[0]).toMatch(/moved to .*corrupt/)
    expect(existsSync(settings.file)).toBe(false)
  })
})
