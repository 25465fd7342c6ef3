import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findUp } from '../util/find-up';

/** Where the name lives; scripts/build-test-image.sh reads the same file. */
export const TEST_IMAGE_FILE = join('tests', 'fixtures', 'test-image');

/**
 * The name of the local busybox image that Docker tests run. It is built by
 * scripts/build-test-image.sh with `docker import` and is never pulled.
 */
export function testImageName(): string {
  const root = findUp(__dirname, TEST_IMAGE_FILE);
  if (root === undefined) throw new Error(`${TEST_IMAGE_FILE} not found above ${__dirname}`);
  const name = readFileSync(join(root, TEST_IMAGE_FILE), 'utf8').trim();
  if (name === '') throw new Error(`${join(root, TEST_IMAGE_FILE)} is empty`);
  return name;
}
