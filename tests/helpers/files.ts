// What is on disk, for tests that prove a secret is NOT there: every regular
// file under a directory, and those whose bytes hold a string.

import { promises as fsp } from 'fs';
import { join, relative } from 'path';

/** Every regular file under `dir`, recursively; none when `dir` does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The files under `dir` (paths relative to it) whose bytes contain `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const f of await filesUnder(dir)) if ((await fsp.readFile(f)).includes(Buffer.from(needle))) hits.push(relative(dir, f));
  return hits;
}
