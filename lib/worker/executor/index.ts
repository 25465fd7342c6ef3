// lib/worker/executor: running the tasks assigned to a node (docs/executor.md).

export type { Executor, ExecutorLogger, ExecutorOptions, ExecutorRuntimeKind, LogLine, LogOptions, LogSelector, StatusListener } from './types';
export { createDockerExecutor } from './docker-executor';
export type { DockerExecutorOptions } from './docker-executor';
export { createProcessExecutor } from './process-executor';
export type { ProcessExecutorOptions } from './process-executor';
