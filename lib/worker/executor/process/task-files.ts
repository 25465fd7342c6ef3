// What the process runtime keeps on disk for each task, under its state
// directory: <stateDir>/<taskId>/task.json (who, which process, how it ended),
// output.log (its output) and work/ (its default working directory). The
// record is what a restarted executor reads to learn what happened to a task.

import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExitInfo } from '../controller';

export interface TaskRecord {
  taskId: string;
  serviceId: string;
  nodeId: string;
  pid?: number;
  /** The process's start time from /proc/<pid>/stat, so a recycled pid is never taken for it. */
  procStart?: string;
  exit?: ExitInfo;
  /** Set when the executor let go of a running process: why nobody knows how it ended. */
  lost?: string;
}

export class TaskFiles {
  constructor(
    readonly stateDir: string,
    readonly taskId: string,
  ) {}

  get dir(): string {
    return join(this.stateDir, this.taskId);
  }
  get recordFile(): string {
    return join(this.dir, 'task.json');
  }
  get logFile(): string {
    return join(this.dir, 'output.log');
  }
  get workDir(): string {
    return join(this.dir, 'work');
  }

  read(): TaskRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.recordFile, 'utf8')) as TaskRecord;
    } catch {
      return undefined;
    }
  }

  /** Written whole and renamed into place: a crash leaves the old record or the new one. */
  write(record: TaskRecord): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.recordFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, this.recordFile);
  }

  update(change: Partial<TaskRecord>): void {
    const current = this.read();
    if (current !== undefined) this.write({ ...current, ...change });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The records of a node's tasks in `stateDir`. */
export function listRecords(stateDir: string, nodeId: string): TaskRecord[] {
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    return [];
  }
  return names
    .map((name) => new TaskFiles(stateDir, name).read())
    .filter((r): r is TaskRecord => r !== undefined && r.nodeId === nodeId);
}
