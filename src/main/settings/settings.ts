// Studio-wide settings (not per project): where the studio keeps its files, recent projects.
// The file is validated on read; a corrupt one is set aside, never silently trusted.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { Keymap } from '../../shared/contract/schemas/keymap'

/** An OpenAI-compatible endpoint that writes a model's turns. The key is a secret: never logged, never returned. */
const ModelEndpointFile = z.object({ baseUrl: z.string(), model: z.string(), apiKey: z.string().nullable().default(null), timeoutMs: z.number().int().positive().default(300_000) })
const RegisteredModel = z.object({
  id: z.string(),
  name: z.string(),
  /** folder: a transformers.js folder; checkpoint: a PyTorch checkpoint the studio serves (serve_checkpoint.py); endpoint: a URL */
  kind: z.enum(['folder', 'checkpoint', 'endpoint']).default('folder'),
  /** the folder (folder, checkpoint) or the base URL (endpoint) */
  path: z.string(),
  endpoint: ModelEndpointFile.nullable().default(null),
  demo: z.boolean(),
  addedAt: z.string()
})
export type RegisteredModel = z.infer<typeof RegisteredModel>
export type RegisteredModelInput = z.input<typeof RegisteredModel>

/** The OpenAI-compatible endpoint synthesis narrators use. The key is a secret: never logged, never returned. */
const NarratorEndpointFile = z.object({
  baseUrl: z.string().nullable().default(null),
  model: z.string().default(''),
  apiKey: z.string().nullable().default(null),
  timeoutMs: z.number().int().positive().default(60_000),
  retries: z.number().int().nonnegative().default(2),
  maxTokens: z.number().int().positive().default(512)
})
type NarratorEndpointFile = z.infer<typeof NarratorEndpointFile>

const SettingsFile = z.object({
  version: z.literal(1),
  recent: z.array(z.object({ path: z.string(), name: z.string(), openedAt: z.string() })).max(50),
  /** model folders are studio-wide: one registry whatever project is open */
  models: z.array(RegisteredModel).default([]),
  narrator: NarratorEndpointFile.default(NarratorEndpointFile.parse({})),
  /** the review screen's keys a person changed */
  reviewKeys: Keymap.default({})
})
type SettingsFile = z.infer<typeof SettingsFile>

const MAX_RECENT = 12

/** PIXEL_STUDIO_HOME, else $XDG_CONFIG_HOME/pixel-studio, else ~/.config/pixel-studio. */
export function studioHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PIXEL_STUDIO_HOME) return env.PIXEL_STUDIO_HOME
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'pixel-studio')
}

export class Settings {
  private data: SettingsFile

  constructor(
    readonly home: string,
    private readonly log: (line: string) => void = () => {}
  ) {
    this.data = this.read()
  }

  get file(): string {
    return join(this.home, 'settings.json')
  }

  /** Where the embedded default project is created on first start. */
  get defaultProjectDir(): string {
    return join(this.home, 'projects', 'sample-project')
  }

  get recent(): SettingsFile['recent'] {
    return this.data.recent
  }

  rememberProject(path: string, name: string): void {
    const recent = [{ path, name, openedAt: new Date().toISOString() }, ...this.data.recent.filter((r) => r.path !== path)]
    this.data = { ...this.data, recent: recent.slice(0, MAX_RECENT) }
    this.write()
  }

  get models(): RegisteredModel[] {
    return this.data.models
  }

  setModels(models: RegisteredModel[]): void {
    this.data = { ...this.data, models }
    this.write()
  }

  /** The narrator endpoint as anyone may see it: whether a key is set, not the key. */
  get narratorEndpoint(): Omit<NarratorEndpointFile, 'apiKey'> & { hasApiKey: boolean } {
    const { apiKey: _secret, ...rest } = this.data.narrator
    return { ...rest, hasApiKey: this.narratorApiKey !== undefined }
  }

  /** The key for the narrator endpoint: PIXEL_STUDIO_NARRATOR_API_KEY, else the stored one. Main process only. */
  get narratorApiKey(): string | undefined {
    return process.env.PIXEL_STUDIO_NARRATOR_API_KEY || this.data.narrator.apiKey || undefined
  }

  /** Changes the endpoint; `apiKey` undefined keeps the stored key, null removes it. */
  setNarratorEndpoint(change: Partial<NarratorEndpointFile>): void {
    const next = { ...this.data.narrator }
    for (const [k, v] of Object.entries(change)) if (v !== undefined) (next as Record<string, unknown>)[k] = v
    this.data = { ...this.data, narrator: NarratorEndpointFile.parse(next) }
    this.write()
  }

  get reviewKeys(): Keymap {
    return this.data.reviewKeys
  }

  setReviewKeys(keys: Keymap): void {
    this.data = { ...this.data, reviewKeys: keys }
    this.write()
  }

  private read(): SettingsFile {
    const empty: SettingsFile = { version: 1, recent: [], models: [], narrator: NarratorEndpointFile.parse({}), reviewKeys: {} }
    if (!existsSync(this.file)) return empty
    try {
      return SettingsFile.parse(JSON.parse(readFileSync(this.file, 'utf8')))
    } catch (error) {
      const aside = `${this.file}.corrupt-${Date.now()}`
      renameSync(this.file, aside)
      this.log(`settings file was unreadable (${error instanceof Error ? error.message : String(error)}); moved to ${aside}`)
      return empty
    }
  }

  private write(): void {
    mkdirSync(dirname(this.file), { recursive: true })
    const tmp = `${this.file}.tmp`
    // owner-only: the file may hold the narrator endpoint's API key
    writeFileSync(tmp, JSON.stringify(this.data, null, 2), { mode: 0o600 })
    renameSync(tmp, this.file)
  }
}
