// Experiments of a project, one JSON file each under <project>/experiments/ (the definition and
// which training run each arm became). The runs themselves are ordinary training runs in SQLite.
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Experiment, StudioError } from '../../shared/contract'

export class ExperimentStore {
  readonly dir: string

  constructor(projectDir: string) {
    this.dir = join(projectDir, 'experiments')
  }

  newId(): string {
    return `exp-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`
  }

  private file(id: string): string {
    if (!/^[A-Za-z0-9_.:-]+$/.test(id)) throw new StudioError('invalid_input', `not an experiment id: ${id}`)
    return join(this.dir, `${id}.json`)
  }

  get(id: string): Experiment {
    const path = this.file(id)
    if (!existsSync(path)) throw new StudioError('not_found', `no experiment ${id} in this project`)
    const parsed = Experiment.safeParse(JSON.parse(readFileSync(path, 'utf8')))
    if (!parsed.success) throw new StudioError('internal', `experiment file ${path} does not match the schema: ${parsed.error.message}`)
    return parsed.data
  }

  /** Written to a temporary file, then renamed: a reader never sees half a file. */
  save(experiment: Experiment): Experiment {
    mkdirSync(this.dir, { recursive: true })
    const path = this.file(experiment.id)
    writeFileSync(`${path}.tmp`, `${JSON.stringify(experiment, null, 2)}\n`)
    renameSync(`${path}.tmp`, path)
    return experiment
  }

  list(): Experiment[] {
    if (!existsSync(this.dir)) return []
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => this.get(f.slice(0, -'.json'.length)))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }
}
