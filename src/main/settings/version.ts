import pkg from '../../../package.json'

export const STUDIO_VERSION: string = pkg.version
