// Three real processes on 127.0.0.1 with on-disk storage and the WebSocket
// transport: elect, replicate, survive kill -9 of the leader, catch up.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ProcessCluster } from '../../lib/raft/process/process-cluster';
import { MemberProcess } from '../../lib/raft/process/member-process';

jest.setTimeout(120_000);

async function put(m: MemberProcess, key: string, value: string): Promise<number> {
  const r = await m.request({ op: 'put', key, value });
  if (!r.ok) throw new Error(`put ${key} on member ${m.config.id}: ${r.error}`);
  return r.index as number;
}

async function get(m: MemberProcess, key: string): Promise<string | null> {
  const r = await m.request({ op: 'get', key });
  if (!r.ok) throw new Error(`get ${key} on member ${m.config.id}: ${r.error}`);
  return r.value ?? null;
}

describe('three raft processes', () => {
  const root = mkdtempSync(join(tmpdir(), 'swarm-raft-mp-'));
  let cluster: ProcessCluster | undefined;

  afterAll(async () => {
    await cluster?.stopAll();
    rmSync(root, { recursive: true, force: true });
  });

  test('elect, replicate, survive kill -9 of the leader, and the restarted node catches up', async () => {
    cluster = await ProcessCluster.create(root, 3, { tickMs: 50 });
    const leader = await cluster.waitForLeader();
    for (let i = 0; i < 20; i++) await put(leader, `k${i}`, `v${i}`);
    // Every member serves a linearizable read of the latest write.
    for (const m of cluster.members.values()) expect(await get(m, 'k19')).toBe('v19');

    const oldLeader = leader.config.id;
    await cluster.kill(oldLeader);
    const next = await cluster.waitForLeader(15_000, oldLeader);
    expect(next.config.id).not.toBe(oldLeader);
    await put(next, 'k19', 'after-failover');
    for (let i = 20; i < 40; i++) await put(next, `k${i}`, `v${i}`);

    const restarted = await cluster.start(oldLeader);
    const target = (await next.status())!.commit;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const st = await restarted.status();
      if (st && st.applied >= target) break;
      if (Date.now() > deadline) throw new Error(`restarted member stuck at ${JSON.stringify(st)}; want applied >= ${target}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await get(restarted, 'k19')).toBe('after-failover');
    expect(await get(restarted, 'k39')).toBe('v39');
    const st = await restarted.status();
    expect(st?.keys).toBe(40);
  });
});
