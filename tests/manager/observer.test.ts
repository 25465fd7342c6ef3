// The manager's ManagerObserver hooks, which the daemon's Prometheus metrics
// hang on: every write that reaches Raft is timed with its outcome, a new
// leader is reported, and each pass of a ReconcileLoop is timed by name.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { newObjectId } from '../../lib/api/ids';
import { Node } from '../../lib/api/types';
import { Draft } from '../../lib/manager/store/transaction';
import { ManagerObserver } from '../../lib/manager/observer';
import { PassResult, ReconcileLoop } from '../../lib/manager/reconcile-loop';
import { startLocalManager } from '../../lib/testing/local-managers';
import { waitFor } from '../raft/node/harness';

function nodeDraft(hostname: string): Draft<Node> {
  return {
    id: newObjectId(),
    spec: { labels: {}, desiredRole: 'worker', availability: 'active' },
    role: 'worker',
    description: { hostname, platform: { os: 'linux', arch: 'x86_64' }, resources: { nanoCPUs: 2e9, memoryBytes: 1 << 30 } },
    status: { state: 'ready' },
  };
}

class SlowLoop extends ReconcileLoop {
  readonly name = 'slow';
  passes = 0;
  protected async pass(): Promise<PassResult> {
    this.passes++;
    await new Promise((r) => setTimeout(r, 30));
    return {};
  }
}

test('proposals, the new leader and loop passes reach the observer', async () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-observer-'));
  const seen = { proposals: [] as { seconds: number; ok: boolean }[], leaders: [] as number[], passes: [] as { loop: string; seconds: number }[] };
  const observer: ManagerObserver = {
    proposal: (seconds, ok) => seen.proposals.push({ seconds, ok }),
    leaderChanged: (l) => seen.leaders.push(l),
    reconcilePass: (loop, seconds) => seen.passes.push({ loop, seconds }),
  };
  const m = await startLocalManager(root, { maxEntryBytes: 4096, observer });
  try {
    await waitFor(() => m.isLeader, 'the lone manager to lead');
    expect(seen.leaders).toContain(1);

    const loop = new SlowLoop(m, ['service'], { warn: () => undefined }, 10, 60_000);
    m.addLeaderLoop(loop);
    await waitFor(() => seen.passes.length > 0, 'a pass of the loop');
    expect(seen.passes[0].loop).toBe('slow');
    // The pass's own wait is in its time (wall time, not the CPU it used).
    expect(seen.passes[0].seconds).toBeGreaterThanOrEqual(0.025);

    const before = seen.proposals.length;
    await m.write([{ op: 'create', kind: 'node', object: nodeDraft('n1') }]);
    expect(seen.proposals.length).toBe(before + 1);
    expect(seen.proposals[before]).toEqual({ seconds: expect.any(Number), ok: true });
    expect(seen.proposals[before].seconds).toBeGreaterThan(0);

    // A write refused before it is proposed (above one entry) is not a proposal.
    const big = 'x'.repeat(8192);
    await expect(m.write([{ op: 'create', kind: 'node', object: nodeDraft(big) }])).rejects.toThrow(/above the limit/);
    expect(seen.proposals.length).toBe(before + 1);
  } finally {
    await m.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
