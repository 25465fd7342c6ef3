import { ProcessRuntime } from './process/process-runtime';
import { TaskExecutor } from './task-executor';
import type { Executor, ExecutorOptions } from './types';

export interface ProcessExecutorOptions extends ExecutorOptions {
  /** Where task records, output and default working directories live (e.g. <data dir>/tasks). */
  stateDir: string;
}

/** Tasks as child processes of the agent (`--runtime process`), for hosts without Docker. */
export function createProcessExecutor(options: ProcessExecutorOptions): Executor {
  return new TaskExecutor(new ProcessRuntime(options.stateDir, options.nodeId, options.network), options);
}
