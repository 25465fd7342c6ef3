import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Returns the nearest ancestor of `startDir` (itself included) that contains `relativePath`.
 * Code runs both from lib/ (ts-jest) and from dist/lib/ (compiled), so files at the
 * repository root cannot be reached by a fixed number of `..`.
 */
export function findUp(startDir: string, relativePath: string): string | undefined {
  let dir = startDir;
  while (true) {
    if (existsSync(join(dir, relativePath))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
