// The test image every container bench runs, made present before anything
// else starts: without it both orchestrators would wait out their deadlines
// on a registry that is not there. It is built as the tests' image is, by
// scripts/build-test-image.sh, which needs a static busybox; when that is
// missing too, the bench stops at once saying what to install.

import { existsSync } from 'fs';
import { join } from 'path';
import { testImageName } from '../../lib/testing/test-image';
import { findUp } from '../../lib/util/find-up';
import { engine } from './engine';
import { execTool } from './exec';
import { CannotRun, log, withTimeout } from './lifecycle';

const SCRIPT = join('scripts', 'build-test-image.sh');
const ENGINE_TIMEOUT_MS = 10_000;
const BUILD_TIMEOUT_MS = 120_000;

async function imagePresent(image: string): Promise<boolean> {
  try {
    await withTimeout(`docker image inspect ${image}`, engine.getImage(image).inspect(), ENGINE_TIMEOUT_MS);
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return false;
    throw new CannotRun(`the Docker engine did not answer (${e instanceof Error ? e.message : String(e)}): start dockerd, then run the bench again`);
  }
}

/** Returns the test image's name once the engine has it, building it when missing. */
export async function ensureTestImage(): Promise<string> {
  const image = testImageName();
  if (await imagePresent(image)) return image;
  const howTo = `apt-get install -y busybox-static && bash ${SCRIPT}`;
  // The script's own default; a BUSYBOX it is given elsewhere is its to check.
  const busybox = process.env.BUSYBOX ?? '/bin/busybox';
  if (!existsSync(busybox)) throw new CannotRun(`the test image ${image} is missing and ${busybox} is not there to build it from: run \`${howTo}\``);
  const root = findUp(__dirname, SCRIPT);
  if (root === undefined) throw new CannotRun(`the test image ${image} is missing and ${SCRIPT} was not found above ${__dirname}`);
  log(`the test image ${image} is missing: building it with ${SCRIPT}`);
  try {
    const r = await execTool('bash', [join(root, SCRIPT)], BUILD_TIMEOUT_MS);
    log(r.stdout.trim());
  } catch (e) {
    throw new CannotRun(`${e instanceof Error ? e.message : String(e)} (to build it by hand: \`${howTo}\`)`);
  }
  if (!(await imagePresent(image))) throw new CannotRun(`${SCRIPT} succeeded but the engine has no ${image}`);
  return image;
}
