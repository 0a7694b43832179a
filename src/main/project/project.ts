// A project is a folder: project.sqlite (every sample, trace, edit, job) beside media/ (the
// content-addressed store). Copying the folder copies the whole project.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { StudioError, type ProjectInfo } from '../../shared/contract'
import { MediaPixelCache } from '../media/media-pixel-cache'
import { MediaStore } from '../media/media-store'
import { JobRepository } from '../jobs/job-repository'
import { JobSkips } from '../jobs/job-skips'
import { isAlive } from '../jobs/process-alive'
import { SampleRepository } from '../samples/sample-repository'
import { BackgroundCheckpoints } from '../store/background-checkpoints'
import { BulkChanges } from '../traces/bulk-changes'
import { SnapshotRepository } from '../traces/snapshot-repository'
import { TraceRepository } from '../traces/trace-repository'
import { openDatabase, schemaVersion, type Db, type OpenOptions } from '../store/database'

export const PROJECT_DB_FILE = 'project.sqlite'
export const MEDIA_DIR = 'media'
/**
 * Written first when a project is created and removed when it is whole (sample data included):
 * a folder holding it is an interrupted creation (a crash, a kill), all of whose contents are
 * ours, so creating the project again may clear it instead of refusing a "not empty" folder.
 */
export const CREATING_MARKER = '.pixel-studio-creating'

/** A creation still running in another live process is not interrupted, unless it is this old. */
const CREATION_STALE_MS = 30 * 60_000

/** True when a project creation in `dir` started and never finished (and is not running elsewhere). */
export function creationInterrupted(dir: string): boolean {
  const marker = join(resolve(dir), CREATING_MARKER)
  if (!existsSync(marker)) return false
  const pid = Number(/pid (\d+)/.exec(readFileSync(marker, 'utf8'))?.[1])
  const running = Number.isInteger(pid) && pid !== process.pid && isAlive(pid) && Date.now() - statSync(marker).mtimeMs < CREATION_STALE_MS
  if (running) throw new StudioError('conflict', `${resolve(dir)} is being created by another Pixel Studio (pid ${pid}); wait for it to finish`)
  return true
}

export class Project {
  readonly media: MediaStore
  readonly samples: SampleRepository
  readonly traces: TraceRepository
  readonly snapshots: SnapshotRepository
  /** one change to many traces, undone as one step */
  readonly bulk: BulkChanges
  readonly jobs: JobRepository
  /** samples a job could not use, and why */
  readonly jobSkips: JobSkips
  /** crops and frames computed once per project (src/main/pixel-ops uses it) */
  readonly pixelCache: MediaPixelCache
  /** bulk writes checkpoint the WAL in a worker, not in their COMMIT */
  readonly checkpoints: BackgroundCheckpoints

  private constructor(
    readonly dir: string,
    readonly db: Db
  ) {
    this.media = new MediaStore(join(dir, MEDIA_DIR), db)
    this.samples = new SampleRepository(db)
    this.checkpoints = new BackgroundCheckpoints(db)
    this.traces = new TraceRepository(db, this.checkpoints)
    this.snapshots = new SnapshotRepository(db, this.traces)
    this.bulk = new BulkChanges(db, this.snapshots)
    this.jobs = new JobRepository(db)
    this.jobSkips = new JobSkips(db)
    this.pixelCache = new MediaPixelCache(this.media, join(dir, 'cache', 'ops'))
  }

  get name(): string {
    const row = this.db.prepare<[], { value: string }>("SELECT value FROM project_meta WHERE key = 'name'").get()
    return row?.value ?? basename(this.dir)
  }

  info(): ProjectInfo {
    const mediaCount = this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM media').get()?.n ?? 0
    return {
      path: this.dir,
      name: this.name,
      schemaVersion: schemaVersion(this.db),
      counts: { samples: this.samples.count(), media: mediaCount, traces: this.traces.count() }
    }
  }

  close(): void {
    this.checkpoints.close()
    if (this.db.open) this.db.close()
  }

  /** The project is whole: from now on it opens (see CREATING_MARKER). */
  markCreated(): void {
    rmSync(join(this.dir, CREATING_MARKER), { force: true })
  }

  /** Opens an existing project folder (upgrading its schema if needed). */
  static open(dir: string, options: OpenOptions = {}): Project {
    const abs = resolve(dir)
    const file = join(abs, PROJECT_DB_FILE)
    if (!existsSync(file)) {
      throw new StudioError('not_found', `${abs} is not a Pixel Studio project (no ${PROJECT_DB_FILE} in it)`)
    }
    if (creationInterrupted(abs)) {
      throw new StudioError('failed_precondition', `creating the project in ${abs} was interrupted, so it is incomplete; create it again there (the folder is reused)`)
    }
    return new Project(abs, openDatabase(file, options))
  }

  /**
   * Creates an empty project in a new or empty folder, or in the folder of an interrupted
   * creation (cleared first); never touches another folder with files in it. With `pending` the
   * project stays marked as being created until markCreated() (the caller adds sample data).
   */
  static create(dir: string, name?: string, options: { pending?: boolean } = {}): Project {
    const abs = resolve(dir)
    if (existsSync(abs)) {
      if (!statSync(abs).isDirectory()) throw new StudioError('conflict', `${abs} exists and is not a folder`)
      if (creationInterrupted(abs)) {
        for (const entry of readdirSync(abs)) if (entry !== CREATING_MARKER) rmSync(join(abs, entry), { recursive: true, force: true })
      } else if (readdirSync(abs).length > 0) throw new StudioError('conflict', `${abs} is not empty; choose a new or empty folder`)
    }
    mkdirSync(abs, { recursive: true })
    writeFileSync(join(abs, CREATING_MARKER), `creation started ${new Date().toISOString()} by pid ${process.pid}\n`)
    mkdirSync(join(abs, MEDIA_DIR), { recursive: true })
    const project = new Project(abs, openDatabase(join(abs, PROJECT_DB_FILE)))
    project.db.prepare("INSERT INTO project_meta (key, value) VALUES ('name', ?)").run(name ?? basename(abs))
    if (!options.pending) project.markCreated()
    return project
  }
}
