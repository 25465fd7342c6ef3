import type { FlagContext } from '../../../lib/cli/service-flags';

/** A FlagContext with a fixed environment and in-memory files, so tests touch nothing real. */
export function fakeContext(files: Record<string, string> = {}, env: Record<string, string> = {}): FlagContext {
  return {
    env,
    cwd: '/home/me/project',
    readFile: (path) => {
      if (!(path in files)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return files[path];
    },
  };
}
