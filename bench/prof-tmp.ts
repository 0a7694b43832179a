import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { Project } from '../src/main/project/project'
const dir = mkdtempSync(join(tmpdir(), 'prof-'))
const project = Project.create(join(dir, 'p'))
const db = project.db
if (process.env.DROP) for (const x of process.env.DROP.split(',')) db.exec(x)
const main = async () => {
  const img = await project.media.put(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#123456' } }).png().toBuffer())
  for (let s = 0; s < 100; s++) project.samples.insert({ id: `s-${s}`, kind: 'image', question: 'q', answer: '1', answerType: 'number', source: 'x', media: [img], cues: [] })
  const ins = db.prepare(`INSERT INTO traces (id, sample_seq, origin, origin_detail, status, question, steps, flags, answer, crops, frame_selections, revision, created_at, updated_at) VALUES (?, ?, 'synthesized', '{}', ?, 'What is near the sign?', ?, '[]', '3', 1, 0, 1, ?, ?)`)
  const rev = db.prepare('INSERT INTO trace_revisions (trace_seq, revision, author, action, at, state) VALUES (?, 1, ?, ?, ?, ?)')
  const fts = db.prepare('INSERT INTO traces_fts (rowid, question, answer, text) VALUES (?, ?, ?, ?)')
  const steps = JSON.stringify([{ kind: 'thought', text: 'sign digit number box frame crop left right zoom in to look clearer at the' }, { kind: 'crop', toolName: 'crop_image_normalized', targetImage: 1, bbox: [0.3, 0.3, 0.6, 0.6], bboxUnits: 'normalized' }, { kind: 'answer', text: 'The x shows 3. \\boxed{3}', boxed: '3' }])
  const t = { ins: 0, rev: 0, fts: 0 }
  const words = 'sign digit number box frame crop left right zoom clock window door car tree person table shelf'.split(' ')
  for (let b = 0; b < 3; b++) {
    const t0 = performance.now()
    db.transaction(() => {
      for (let k = 0; k < 10000; k++) {
        const i = b * 10000 + k
        const at = new Date().toISOString()
        let a = performance.now()
        const seq = Number(ins.run(`t-${i}`, 1 + (i % 100), ['unreviewed', 'accepted'][i % 2], steps, at, at).lastInsertRowid)
        let c = performance.now(); t.ins += c - a; a = c
        rev.run(seq, 'bench', 'create', at, steps)
        c = performance.now(); t.rev += c - a; a = c
        fts.run(seq, 'What is near the sign?', '3', `${words[i % 17]} ${words[(i * 7) % 17]} ${words[(i * 3) % 17]} zoom in ${i}`)
        c = performance.now(); t.fts += c - a
      }
    })()
    console.log(b, Math.round(10000 / (performance.now() - t0) * 1000), '/s', JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)]))))
  }
}
main()
