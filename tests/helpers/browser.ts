// The browser the dashboard tests drive: Debian's chromium through
// playwright-core (no browser download). Like the Docker tests, a missing
// browser skips with the reason, unless REQUIRE_BROWSER=1 (CI sets it), where
// it fails.

import { accessSync, constants } from 'fs';
import type { Browser } from 'playwright-core';

export function chromiumPath(): string {
  return process.env.SWARM_TEST_CHROMIUM || '/usr/bin/chromium';
}

function browserProblem(): string | undefined {
  try {
    accessSync(chromiumPath(), constants.X_OK);
    return undefined;
  } catch {
    return `no chromium at ${chromiumPath()} (apt-get install chromium, or set SWARM_TEST_CHROMIUM)`;
  }
}

export function describeWithBrowser(title: string, body: () => void): void {
  const problem = browserProblem();
  if (problem === undefined) {
    describe(title, body);
    return;
  }
  if (process.env.REQUIRE_BROWSER === '1') {
    describe(title, () => {
      test('has a browser to drive (REQUIRE_BROWSER=1)', () => {
        throw new Error(`${problem}. Install it (see .ci/run) or unset REQUIRE_BROWSER.`);
      });
    });
    return;
  }
  console.warn(`Skipping "${title}": ${problem}. Set REQUIRE_BROWSER=1 to fail instead.`);
  describe.skip(`${title} [skipped: ${problem}]`, body);
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // --no-sandbox: CI and this machine run tests as root, where chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
}
