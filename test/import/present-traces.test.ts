// The import's presence check on a connection of its own (present-traces.ts): it sees what the
// writer committed, and a database it cannot open reports nothing present (the writer still
// skips present traces) and says so.
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { presentTracesIn } from '../../src/main/import/present-traces'
import { addSampleData } from '../../src/main/project/sample-data'
import { Project } from '../../src/main/project/project'
import type { NewTrace } from '../../src/main/traces/trace-rows'
import { tempDir } from '../helpers/temp'

const root = tempDir()

describe('the import presence check', () => {
  it('reads what the writer has committed, on a read-only connection', async () => {
    const project = Project.create(join(root, 'present'))
    await addSampleData(project)
    const sampleId = project.samples.list({ offset: 0, limit: 1 }).items[0]!.id
    const trace = (id: string): NewTrace => ({ id, sampleId, origin: 'human', question: 'q?', steps: [{ kind: 'answer', text: '\\boxed{1}', boxed: '1' }] })
    project.traces.insertMany([trace('trace-first')], 'test')
    const check = presentTracesIn(project.db.name)
    try {
      expect(check.present(['trace-first', 'trace-import-not-there'])).toEqual(new Set(['trace-first']))
      // a trace written after the connection opened is seen too (WAL: each query reads the last commit)
      project.traces.insertMany([trace('trace-later')], 'test')
      expect(check.present(['trace-later'])).toEqual(new Set(['trace-later']))
    } finally {
      check.close()
      project.close()
    }
  })

  it('reports nothing present when it cannot open the database, and says so', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    try {
      const check = presentTracesIn(join(root, 'no-such-project', 'project.sqlite'))
      expect(check.present(['any'])).toEqual(new Set())
      check.close()
      expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/cannot check .*no-such-project.* their files are read again/))
    } finally {
      stderr.mockRestore()
    }
  })
})
