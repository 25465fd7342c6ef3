// Parsing of `swarm service create/update/scale` options into a ServiceSpec,
// following docker's flags, defaults and messages. Every parser is a pure
// function of its inputs (the environment, files and working directory come
// through a FlagContext); every bad value is an Error naming flag and value.

export { buildServiceSpec } from './create';
export { applyServiceUpdate, isRollbackRequest } from './update';
export { parseScaleArg, type ScaleArg } from './scale';
export { addServiceSpecOptions, type CommonServiceOptions, type CreateOptions, type UpdateOptions } from './options';
export { defaultFlagContext, type FlagContext } from './context';
export { DEFAULT_ROLLBACK_CONFIG, DEFAULT_UPDATE_CONFIG, defaultServiceSpec } from '../../api/service-defaults';
export { checkServiceName } from './validate';
export { parseMemoryBytes, parseNanoCpus } from './numbers';
export { splitShellWords } from '../../util/shell-words';
