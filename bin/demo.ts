// The main job until the cluster exists: a three-member Raft cluster of real
// processes on 127.0.0.1 with on-disk logs. It elects a leader, replicates
// writes, survives kill -9 of the leader, brings the member back, and shows
// that it caught up. Every process it starts is stopped before it exits.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { MemberProcess } from '../lib/raft/process/member-process';
import { ProcessCluster } from '../lib/raft/process/process-cluster';

const say = (s: string) => console.log(s);

async function table(c: ProcessCluster): Promise<void> {
  say('  ID  PID      ROLE      TERM  COMMIT  APPLIED  KEYS');
  for (const s of (await c.statuses()).sort((a, b) => a.id - b.id)) {
    const role = s.isLeader ? 'leader' : s.leader ? 'follower' : 'candidate';
    say(
      `  ${String(s.id).padEnd(3)} ${String(s.pid).padEnd(8)} ${role.padEnd(9)} ${String(s.term).padEnd(5)} ` +
        `${String(s.commit).padEnd(7)} ${String(s.applied).padEnd(8)} ${s.keys}`,
    );
  }
}

async function put(m: MemberProcess, key: string, value: string): Promise<number> {
  const r = await m.request({ op: 'put', key, value });
  if (!r.ok) throw new Error(`put ${key}: ${r.error}`);
  return r.index as number;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'swarm-demo-'));
  let cluster: ProcessCluster | undefined;
  try {
    say(`Starting 3 raft members on 127.0.0.1 (data in ${root})`);
    cluster = await ProcessCluster.create(root, 3);
    for (const cfg of cluster.configs) say(`  member ${cfg.id}: ws://127.0.0.1:${cfg.port}  pid ${cluster.members.get(cfg.id)?.pid}`);
    let t0 = Date.now();
    let leader = await cluster.waitForLeader();
    say(`\nLeader elected in ${Date.now() - t0} ms: member ${leader.config.id}`);

    t0 = Date.now();
    for (let i = 1; i <= 100; i++) await put(leader, `service/web-${i}`, `replicas=${i % 7}`);
    say(`Wrote 100 keys through the leader in ${Date.now() - t0} ms (each committed on a quorum, fsync'ed)`);
    await table(cluster);

    const victim = leader.config.id;
    say(`\nkill -9 of the leader (member ${victim}, pid ${leader.pid})`);
    t0 = Date.now();
    await cluster.kill(victim);
    leader = await cluster.waitForLeader(15_000, victim);
    say(`New leader in ${Date.now() - t0} ms: member ${leader.config.id}`);
    for (let i = 101; i <= 150; i++) await put(leader, `service/web-${i}`, `replicas=${i % 7}`);
    say('Wrote 50 more keys with one member down');
    await table(cluster);

    say(`\nRestarting member ${victim} from its data dir`);
    const back = await cluster.start(victim);
    const target = (await leader.status())?.commit ?? 0;
    t0 = Date.now();
    for (;;) {
      const st = await back.status();
      if (st && st.applied >= target) break;
      if (Date.now() - t0 > 20_000) throw new Error(`member ${victim} did not catch up: ${JSON.stringify(st)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    say(`Member ${victim} caught up in ${Date.now() - t0} ms`);
    const r = await back.request({ op: 'get', key: 'service/web-150' });
    say(`Linearizable read on member ${victim}: service/web-150 = ${r.ok ? r.value : `error: ${r.error}`}`);
    await table(cluster);
    say('\nDemo finished: stopping every member.');
  } finally {
    await cluster?.stopAll();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
