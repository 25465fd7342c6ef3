// Where a node's tasks' secrets and configs are written: one directory per
// task on a tmpfs (memory, never the node's disk), not readable by others,
// each file owned and moded as the task asked; the container gets each file
// bind-mounted read-only. A node without a tmpfs refuses such tasks rather
// than write a secret to disk. A task's directory goes when it ends (the
// container's bind mounts keep what they hold while it stops), at the latest
// with its container; those of tasks with no container left go when the
// runtime opens (after a crash).

import { promises as fsp } from 'fs';
import { dirname, join } from 'path';
import type { TaskFile } from './blob-files';

/** statfs(2)'s f_type of a tmpfs (linux/magic.h). */
export const TMPFS_MAGIC = 0x01021994;

/** The Linux default root of this node's task directories: /dev/shm is a tmpfs wherever systemd or docker set the host up. */
export function defaultTmpfsRoot(nodeId: string): string {
  return join('/dev/shm', 'swarm-task-files', nodeId);
}

export interface TmpfsFilesOptions {
  /** This node's directory of task directories, on a tmpfs. */
  root: string;
  /** statfs(2), replaced in tests. */
  statfs?: (path: string) => Promise<{ type: number | bigint }>;
  /** Whether chown may give files away (root). */
  canChown?: boolean;
}

export interface FileMount {
  /** The file on the node. */
  source: string;
  /** Its path in the container. */
  target: string;
}

/** Task ids are the store's hex ids; anything else would be a path the node must not build. */
const TASK_ID = /^[A-Za-z0-9_-]{1,128}$/;

export class TmpfsFiles {
  private readonly statfs: (path: string) => Promise<{ type: number | bigint }>;
  private readonly canChown: boolean;
  private checked: Promise<void> | undefined;

  constructor(private readonly o: TmpfsFilesOptions) {
    this.statfs = o.statfs ?? ((p) => fsp.statfs(p));
    this.canChown = o.canChown ?? process.getuid?.() === 0;
  }

  get root(): string {
    return this.o.root;
  }

  /** Writes the task's files (replacing any left by an earlier try) and says what to mount where. */
  async write(taskId: string, files: readonly TaskFile[]): Promise<FileMount[]> {
    if (files.length === 0) return [];
    await this.ensureRoot();
    const dir = this.dirOf(taskId);
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.mkdir(dir, { mode: 0o700 });
    try {
      const mounts: FileMount[] = [];
      for (const [i, f] of files.entries()) {
        // Named by position: a name or target is never part of a path on the node.
        const source = join(dir, `${f.kind}-${i}`);
        await fsp.writeFile(source, f.data, { mode: 0o600, flag: 'wx' });
        await this.own(source, f);
        // After chown, which clears set-id bits; the umask does not apply to chmod.
        await fsp.chmod(source, f.mode);
        mounts.push({ source, target: f.target });
      }
      return mounts;
    } catch (e) {
      await fsp.rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  async remove(taskId: string): Promise<void> {
    if (!TASK_ID.test(taskId)) return;
    await fsp.rm(join(this.o.root, taskId), { recursive: true, force: true });
  }

  /** Removes the directories of tasks not in `keep` (no container holds them any more). */
  async removeAllBut(keep: ReadonlySet<string>): Promise<string[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.o.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const gone = names.filter((n) => !keep.has(n));
    for (const n of gone) await fsp.rm(join(this.o.root, n), { recursive: true, force: true });
    return gone;
  }

  private dirOf(taskId: string): string {
    if (!TASK_ID.test(taskId)) throw new Error(`task id ${JSON.stringify(taskId)} cannot name a directory`);
    return join(this.o.root, taskId);
  }

  /** Creates the root once and checks it is a tmpfs; a failed check is tried again by the next task. */
  private ensureRoot(): Promise<void> {
    this.checked ??= this.checkRoot().catch((e: unknown) => {
      this.checked = undefined;
      throw e;
    });
    return this.checked;
  }

  private async checkRoot(): Promise<void> {
    const root = this.o.root;
    try {
      await fsp.mkdir(root, { recursive: true, mode: 0o700 });
      await fsp.chmod(root, 0o700);
    } catch (e) {
      throw new Error(`cannot create ${root} for the task's secrets and configs: ${(e as Error).message}`);
    }
    // /dev/shm is writable by everyone: a directory someone else made there (or a link) could let them read the files.
    for (const dir of [dirname(root), root]) {
      const st = await fsp.lstat(dir);
      const mine = st.uid === process.geteuid?.() || (dir !== root && st.uid === 0);
      if (!st.isDirectory() || !mine) throw new Error(`${dir} is not a directory of this daemon's user: refusing to put secrets and configs there`);
    }
    const { type } = await this.statfs(root);
    if (Number(type) !== TMPFS_MAGIC) {
      throw new Error(`${root} is not on a tmpfs (filesystem type 0x${Number(type).toString(16)}): secrets and configs are never written to the node's disk`);
    }
  }

  private async own(path: string, f: TaskFile): Promise<void> {
    if (this.canChown) return fsp.chown(path, f.uid, f.gid);
    // Without root the files are ours; that is what the task asked for only if it asked for us.
    const uid = process.getuid?.();
    const gid = process.getgid?.();
    if ((f.uid === uid || f.uid === 0) && (f.gid === gid || f.gid === 0)) return;
    throw new Error(`${f.kind} ${f.name}: cannot give its file to uid ${f.uid} gid ${f.gid}: the daemon does not run as root`);
  }
}
