// Entry point of one raft member process (forked by MemberProcess). It runs a
// RaftNode over the WebSocket transport with on-disk storage and answers the
// parent's requests over IPC.

import { RaftNode } from '../node/raft-node';
import { WsTransport } from '../transport';
import { kvCommand, KvMachine } from './kv-machine';
import { runLoad, runReads, stallFor } from './load';
import { Envelope, MemberConfig, MemberReply, MemberRequest } from './protocol';

async function main(): Promise<void> {
  const cfg = JSON.parse(process.env.SWARM_RAFT_MEMBER ?? '') as MemberConfig;
  const kv = new KvMachine();
  const node = await RaftNode.start({
    id: cfg.id,
    dataDir: cfg.dataDir,
    url: `ws://127.0.0.1:${cfg.port}`,
    transport: (h) => new WsTransport({ id: cfg.id, host: '127.0.0.1', port: cfg.port, ...h }),
    stateMachine: kv,
    bootstrap: cfg.peers,
    tickMs: cfg.tickMs,
    electionTick: cfg.electionTick,
    snapshotEvery: cfg.snapshotEvery,
    leaseReads: cfg.leaseReads,
    logger: {
      debug() {},
      info: (m) => process.stderr.write(`[raft ${cfg.id}] ${m}\n`),
      warn: (m) => process.stderr.write(`[raft ${cfg.id}] WARN ${m}\n`),
    },
  });

  const handle = async (req: MemberRequest): Promise<MemberReply> => {
    switch (req.op) {
      case 'status': {
        const st = node.status();
        return {
          ok: true,
          status: {
            id: node.id,
            pid: process.pid,
            leader: node.leader,
            isLeader: node.isLeader,
            term: st.hardState.term,
            applied: node.applied,
            commit: st.hardState.commit,
            keys: kv.map.size,
          },
        };
      }
      case 'put': {
        const r = await node.propose(kvCommand(req.key, req.value));
        return { ok: true, index: r.index };
      }
      case 'get':
        await node.read();
        return { ok: true, value: kv.map.get(req.key) ?? null };
      case 'load':
        return { ok: true, load: await runLoad(node, req.count, req.concurrency, req.size) };
      case 'reads': {
        const before = node.leaseReadsServed;
        const load = await runReads(node, req.durationMs, req.perSecond);
        return { ok: true, load, leaseReads: node.leaseReadsServed - before };
      }
      case 'stall':
        await stallFor(req.durationMs, req.minMs, req.maxMs);
        return { ok: true };
      case 'stop':
        await node.stop();
        setImmediate(() => process.exit(0));
        return { ok: true };
    }
  };

  process.on('message', (msg: Envelope<MemberRequest>) => {
    handle(msg.body).then(
      (body) => process.send?.({ seq: msg.seq, body }),
      (e: unknown) => {
        const err = e as { message?: string; code?: string };
        process.send?.({ seq: msg.seq, body: { ok: false, error: err.message ?? String(e), code: err.code } });
      },
    );
  });
  process.on('disconnect', () => {
    void node.stop().finally(() => process.exit(0));
  });
  process.send?.({ seq: 0, body: { ok: true } });
}

main().catch((e: unknown) => {
  process.stderr.write(`raft member failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
