// What the services need from the studio that hosts them. The Studio (app/) implements it and
// builds the handlers from it, so services never import the app that assembles them.
import type { Dispatcher } from '../rpc/dispatcher'
import type { InferenceManager } from '../inference/inference-manager'
import type { ModelRegistry } from '../inference/model-registry'
import type { Project } from '../project/project'
import type { Settings } from '../settings/settings'
import type { TrainingSupervisor } from '../training/supervisor'
import type { JobProgress, ProjectInfo } from '../../shared/contract'

export interface ServiceContext {
  readonly settings: Settings
  readonly version: string
  readonly log: (line: string) => void
  readonly models: ModelRegistry
  readonly inference: InferenceManager
  /** events to every front door */
  readonly dispatcher: Pick<Dispatcher, 'emit'>
  /** the open project; throws failed_precondition when none is open */
  readonly project: Project
  readonly hasProject: boolean
  /** the open project's training supervisor */
  readonly training: TrainingSupervisor
  openProject(path: string): ProjectInfo
  createProject(path: string, withSampleData: boolean, signal?: AbortSignal, onProgress?: (p: JobProgress) => void): Promise<ProjectInfo>
}
