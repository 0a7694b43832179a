// The studio's list of local model folders. Entries are re-validated when listed, so a folder
// that was moved or half-deleted shows its problem instead of failing at load time.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { StudioError, type ModelEntry } from '../../shared/contract'
import type { RegisteredModel, Settings } from '../settings/settings'
import { describeModelFolder, type ModelFolderDescription } from './model-folder'

function entry(model: RegisteredModel): ModelEntry {
  try {
    const d = describeModelFolder(model.path)
    return { ...model, modelType: d.modelType, dtype: d.dtypeLabel, totalBytes: d.totalBytes, demo: model.demo || d.tiny, problem: null }
  } catch (error) {
    return { ...model, modelType: 'qwen2_vl', dtype: 'unknown', totalBytes: 0, problem: error instanceof Error ? error.message : String(error) }
  }
}

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
    const id = createHash('sha256').update(dir).digest('hex').slice(0, 12)
    const model: RegisteredModel = { id, name: options.name ?? description.name ?? basename(dir), path: dir, demo: options.demo ?? description.tiny, addedAt: new Date().toISOString() }
    this.settings.setModels([model, ...this.settings.models.filter((m) => m.id !== id)])
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
