import Docker from 'dockerode';
import { DockerRuntime } from './docker/docker-runtime';
import { TaskExecutor } from './task-executor';
import { defaultTmpfsRoot, TmpfsFiles } from './tmpfs-files';
import type { Executor, ExecutorOptions } from './types';

export interface DockerExecutorOptions extends ExecutorOptions {
  /** The engine to use; default: dockerode's (DOCKER_HOST, else the local socket). */
  docker?: Docker;
  /** Where tasks' secrets and configs are written; default: a directory of this node under /dev/shm (tmpfs-files.ts). */
  tmpfsRoot?: string;
}

/** Tasks as containers on the local Docker engine (the default runtime). */
export function createDockerExecutor(options: DockerExecutorOptions): Executor {
  const logger = options.logger ?? { warn: () => undefined };
  const tmpfs = new TmpfsFiles({ root: options.tmpfsRoot ?? defaultTmpfsRoot(options.nodeId) });
  const runtime = new DockerRuntime(options.docker ?? new Docker(), options.nodeId, logger, options.network, tmpfs);
  return new TaskExecutor(runtime, options);
}
