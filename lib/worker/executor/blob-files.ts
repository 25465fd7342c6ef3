// A task's secrets and configs as the files its container gets: each
// reference of the task's spec matched with the content the node was given
// (AssignedBlobs), its path in the container and its owner and mode checked.
// Pure, so every refusal is tested without a container.

import type { FileTarget } from '../../api/secret-types';
import type { Task } from '../../api/service-types';
import type { AssignedBlobs } from './types';

/** Where docker puts secrets named by a relative target. */
export const SECRETS_DIR = '/run/secrets';

export interface TaskFile {
  kind: 'secret' | 'config';
  id: string;
  /** The secret's or config's name, for messages (never the content). */
  name: string;
  /** Absolute path in the container. */
  target: string;
  uid: number;
  gid: number;
  mode: number;
  data: Buffer;
}

/** The files, or why the task cannot have them (then it is rejected with that reason). */
export type TaskFiles = { ok: true; files: TaskFile[] } | { ok: false; error: string };

export const NO_FILES: TaskFiles = { ok: true, files: [] };

export function hasFiles(task: Task): boolean {
  const c = task.spec.container;
  return (c.secrets?.length ?? 0) > 0 || (c.configs?.length ?? 0) > 0;
}

export function taskFiles(task: Task, blobs: AssignedBlobs): TaskFiles {
  const c = task.spec.container;
  const files: TaskFile[] = [];
  try {
    for (const r of c.secrets ?? []) {
      const b = blobs.secrets.get(r.secretId);
      if (b === undefined) throw new Error(`secret ${r.secretName} (${r.secretId}) was not given to this node`);
      files.push(file('secret', r.secretId, b.name, r.file, b.data));
    }
    for (const r of c.configs ?? []) {
      const b = blobs.configs.get(r.configId);
      if (b === undefined) throw new Error(`config ${r.configName} (${r.configId}) was not given to this node`);
      let data = b.data;
      if (b.templating !== undefined) {
        // The raw template would be a wrong file: without a renderer, none.
        if (!blobs.render) throw new Error(`config ${b.name} uses the ${b.templating.name} template driver, which this node cannot render`);
        data = Buffer.from(blobs.render(Buffer.from(b.data, 'base64').toString('utf8'), task), 'utf8').toString('base64');
      }
      files.push(file('config', r.configId, b.name, r.file, data));
    }
    const seen = new Set<string>();
    for (const f of files) {
      if (seen.has(f.target)) throw new Error(`two secrets or configs of the task have the same target ${f.target}`);
      seen.add(f.target);
    }
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  return { ok: true, files };
}

function file(kind: TaskFile['kind'], id: string, name: string, t: FileTarget, data: string): TaskFile {
  return { kind, id, name, target: targetPath(kind, t.name || name), uid: numericId(t.uid, 'uid', name), gid: numericId(t.gid, 'gid', name), mode: mode(t.mode, name), data: Buffer.from(data, 'base64') };
}

/** Secrets: relative under /run/secrets; configs: relative to / (docker's default target is /NAME). */
export function targetPath(kind: TaskFile['kind'], target: string): string {
  const abs = target.startsWith('/') ? target : `${kind === 'secret' ? SECRETS_DIR : ''}/${target}`;
  const parts = abs.split('/').slice(1);
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`${kind} target ${JSON.stringify(target)} is not a plain file path`);
  return abs;
}

function numericId(x: string, what: string, name: string): number {
  const v = x === '' ? 0 : Number(x);
  if (!/^\d*$/.test(x) || !Number.isSafeInteger(v) || v > 0xffffffff) throw new Error(`${name}: ${what} ${JSON.stringify(x)} must be a number`);
  return v;
}

function mode(m: number, name: string): number {
  if (!Number.isInteger(m) || m < 0 || m > 0o777) throw new Error(`${name}: mode ${m} must be from 0 to 0777`);
  return m;
}
