// Runs in jest's own process after every suite. On a 2-core machine jest runs
// the suites in that process too (one worker), so a socket a test left open is
// still here: it keeps jest from exiting, and if its peer's route went away (a
// node's local routes are removed when it leaves) it ends up to 15 minutes
// later in an 'error' event nobody listens to, which kills jest after a green
// run. Name each one (so the test that leaked it can be found) and close it.
import { Socket } from 'net';

// Node has no public API for this; it is what --detectOpenHandles builds on.
type WithHandles = NodeJS.Process & { _getActiveHandles?: () => unknown[] };

export default async function globalTeardown(): Promise<void> {
  const handles = (process as WithHandles)._getActiveHandles?.() ?? [];
  const leaked = handles.filter((h): h is Socket => h instanceof Socket && h.remoteAddress !== undefined && !h.destroyed);
  for (const s of leaked) {
    process.stderr.write(`global teardown: a test left a TCP socket open: ${s.localAddress}:${s.localPort} -> ${s.remoteAddress}:${s.remotePort}; closing it\n`);
    s.on('error', () => undefined);
    s.destroy();
  }
}
