// The studio's list of local model folders. Entries are re-validated when listed, so a folder
// that was moved or half-deleted shows its problem instead of failing at load time.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { StudioError, type ModelEndpointInput, type ModelEntry } from '../../shared/contract'
import { checkpointName, describeCheckpointFolder } from './checkpoint-folder'
import type { RegisteredModel, Settings } from '../settings/settings'
import { describeModelFolder, type ModelFolderDescription } from './model-folder'

function entry(model: RegisteredModel): ModelEntry {
  const base = { id: model.id, name: model.name, kind: model.kind, path: model.path, demo: model.demo, addedAt: model.addedAt, endpoint: null }
  if (model.kind === 'endpoint') {
    const e = model.endpoint
    // not contacted here: listing stays instant; loading checks the endpoint answers
    return { ...base, endpoint: e ? { baseUrl: e.baseUrl, model: e.model, hasApiKey: e.apiKey !== null } : null, modelType: null, dtype: 'endpoint', totalBytes: 0, problem: e ? null : 'no endpoint settings stored: remove it and add it again' }
  }
  try {
    if (model.kind === 'checkpoint') {
      const c = describeCheckpointFolder(model.path)
      return { ...base, modelType: c.modelType, dtype: c.adapterBase ? `${c.dtype} + LoRA` : c.dtype, totalBytes: c.totalBytes, problem: null }
    }
    const d = describeModelFolder(model.path)
    return { ...base, modelType: d.modelType, dtype: d.dtypeLabel, totalBytes: d.totalBytes, demo: model.demo || d.tiny, problem: null }
  } catch (error) {
    return { ...base, modelType: null, dtype: 'unknown', totalBytes: 0, problem: error instanceof Error ? error.message : String(error) }
  }
}

const idOf = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 12)

export class ModelRegistry {
  constructor(private readonly settings: Settings) {}

  list(): ModelEntry[] {
    return this.settings.models.map(entry)
  }

  get(id: string): RegisteredModel {
    const model = this.settings.models.find((m) => m.id === id)
    if (!model) throw new StudioError('not_found', `no registered model with id "${id}"`)
    return model
  }

  /** Validates the folder first: a folder that would not load is never registered. */
  add(path: string, options: { name?: string; demo?: boolean } = {}): ModelEntry {
    const dir = resolve(path)
    const description: ModelFolderDescription = describeModelFolder(dir)
    return this.put({ id: idOf(dir), name: options.name ?? description.name ?? basename(dir), kind: 'folder', path: dir, endpoint: null, demo: options.demo ?? description.tiny, addedAt: new Date().toISOString() })
  }

  /** A PyTorch checkpoint (or a run folder: its final model, else its newest checkpoint), validated first. */
  addCheckpoint(path: string, options: { name?: string } = {}): ModelEntry {
    const c = describeCheckpointFolder(path)
    return this.put({ id: idOf(`checkpoint:${c.dir}`), name: checkpointName(c.dir, options.name), kind: 'checkpoint', path: c.dir, endpoint: null, demo: false, addedAt: new Date().toISOString() })
  }

  /** An OpenAI-compatible endpoint; only its URL is checked here (it may be started later). */
  addEndpoint(input: ModelEndpointInput): ModelEntry {
    let url: URL
    try {
      url = new URL(input.baseUrl)
    } catch {
      throw new StudioError('invalid_input', `"${input.baseUrl}" is not a URL: give the endpoint's base URL, e.g. http://127.0.0.1:8000/v1`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new StudioError('invalid_input', `the endpoint URL must be http:// or https://, got ${url.protocol}`)
    const baseUrl = input.baseUrl.replace(/\/+$/, '').replace(/\/chat\/completions$/, '')
    const endpoint = { baseUrl, model: input.model, apiKey: input.apiKey ?? null, timeoutMs: input.timeoutMs ?? 300_000 }
    return this.put({ id: idOf(`endpoint:${baseUrl}|${input.model}`), name: input.name, kind: 'endpoint', path: baseUrl, endpoint, demo: false, addedAt: new Date().toISOString() })
  }

  private put(model: RegisteredModel): ModelEntry {
    this.settings.setModels([model, ...this.settings.models.filter((m) => m.id !== model.id)])
    return entry(model)
  }

  remove(id: string): ModelEntry[] {
    this.get(id)
    this.settings.setModels(this.settings.models.filter((m) => m.id !== id))
    return this.list()
  }
}

/** A folder a demo model may be written into: new, or empty. */
export function assertEmptyFolder(path: string): string {
  const dir = resolve(path)
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new StudioError('conflict', `${dir} is not empty; choose a new or empty folder`)
  return dir
}
