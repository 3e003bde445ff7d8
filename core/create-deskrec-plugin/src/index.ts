export { HELP, runCli } from './cli.js';
export { defaultTitle, isKind, KINDS, type Kind, packageNameProblem, pluginIds } from './names.js';
export { type ScaffoldOptions, type ScaffoldResult, scaffold } from './scaffold.js';
export { API_RANGE, CORE_RANGE, DEV_DEPENDENCIES, KIND_DEPENDENCIES } from './versions.js';
