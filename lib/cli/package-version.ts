import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findUp } from '../util/find-up';

/** The version from swarm's package.json, read at run time so it never goes stale in dist/. */
export function packageVersion(): string {
  const root = findUp(__dirname, 'package.json');
  if (root === undefined) throw new Error(`package.json not found above ${__dirname}`);
  const manifest: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (typeof manifest !== 'object' || manifest === null || !('version' in manifest) || typeof manifest.version !== 'string') {
    throw new Error(`${join(root, 'package.json')} has no version`);
  }
  return manifest.version;
}
