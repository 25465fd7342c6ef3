import Docker from 'dockerode';
import { DockerRuntime } from './docker/docker-runtime';
import { TaskExecutor } from './task-executor';
import type { Executor, ExecutorOptions } from './types';

export interface DockerExecutorOptions extends ExecutorOptions {
  /** The engine to use; default: dockerode's (DOCKER_HOST, else the local socket). */
  docker?: Docker;
}

/** Tasks as containers on the local Docker engine (the default runtime). */
export function createDockerExecutor(options: DockerExecutorOptions): Executor {
  const runtime = new DockerRuntime(options.docker ?? new Docker(), options.nodeId, options.logger ?? { warn: () => undefined }, options.network);
  return new TaskExecutor(runtime, options);
}
