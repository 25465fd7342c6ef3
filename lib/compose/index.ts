// Stacks from compose files: the pure part of `swarm stack deploy` and
// `swarm stack config`. Text in, stack model and service specs out; the only
// I/O is in read-files.ts and read-objects.ts (secrets' and configs' files),
// which the CLI calls at the edge.
//
//   const input = readStackInput({ composeFiles: ['docker-stack.yml'], env: process.env });
//   const stack = loadStack(input);          // throws ComposeError listing every problem
//   stack.warnings                           // "Ignoring unsupported options: build, links"
//   renderStackConfig(stack)                 // what `docker stack config` prints
//   const { services, notices } = convertStack(stack, 'app');
//
// See docs/compose.md for what each compose key does here.

export { loadStack } from './load/load';
export { renderStackConfig } from './render';
export { convertStack, validateStackName } from './convert/convert';
export { LABEL_IMAGE, LABEL_NAMESPACE } from './convert/labels';
export { ComposeError, formatIssue, type ComposeIssue, type SourcePosition } from './errors';
export { readStackInput, type ReadStackOptions } from './read-files';
export { readStackObjects } from './read-objects';
export type * from './types';
export type * from './convert/types';
