// The random client and fault actions of the faulty phase: proposals,
// ReadIndex reads, crashes, partitions, membership changes, compactions and
// leadership transfers, chosen by the seed's weights.

import { ConfChangeType, NodeId } from '../core/types';
import { Checker } from './checker';
import { Network } from './network';
import { Profile } from './profile';
import { Prng } from './prng';
import { SimNode } from './sim-node';
import { Trace } from './trace';

export interface ActionHost {
  readonly rng: Prng;
  readonly profile: Profile;
  readonly now: number;
  readonly nodes: ReadonlyMap<NodeId, SimNode>;
  readonly network: Network;
  readonly checker: Checker;
  readonly trace: Trace;
  readonly electionTime: number;
  readonly stats: { proposals: number; reads: number; partitions: number; compactions: number; transfers: number };
  upNodes(): SimNode[];
  leader(): SimNode | undefined;
  downtime(): number;
  crash(node: SimNode, downtime: number, why: string): void;
  pause(node: SimNode, duration: number): void;
  freshId(): NodeId;
  createNode(id: NodeId): SimNode;
  scheduleLinkHeal(partition: number, after: number): void;
  nextSeq(): number;
}

type ActionName = keyof Profile['weights'];

const enc = new TextEncoder();

export function performAction(h: ActionHost): void {
  const w = h.profile.weights;
  const names = Object.keys(w) as ActionName[];
  let total = 0;
  for (const k of names) total += w[k];
  let x = h.rng.next() * total;
  let chosen: ActionName = 'propose';
  for (const k of names) {
    x -= w[k];
    if (x < 0) {
      chosen = k;
      break;
    }
  }
  ACTIONS[chosen](h);
}

const ACTIONS: Record<ActionName, (h: ActionHost) => void> = {
  propose(h) {
    const node = target(h, 0.6);
    if (!node) return;
    const n = h.rng.int(1, h.profile.maxBatch);
    const payloads: string[] = [];
    for (let i = 0; i < n; i++) {
      // Unique payloads of varied sizes, so size-based flow control splits batches.
      payloads.push(`p${h.nextSeq()}.${'#'.repeat(h.rng.int(0, 48))}`);
    }
    h.stats.proposals += n;
    h.checker.onProposed(node, payloads);
    const ok = node.propose(payloads.map((p) => enc.encode(p)));
    h.trace.log(h.now, () => `propose ${n} on ${node.id}: ${ok ? 'accepted' : 'refused'}`);
    if (!ok) for (const p of payloads) node.pendingProposals.delete(p);
  },

  read(h) {
    // With leases, half the reads go to whichever node believes it leads, a
    // deposed leader included: a client still talking to the old leader is
    // exactly who a lease that outlives its promise would answer wrongly.
    const node = h.profile.leaseReads && h.rng.chance(0.5) ? anyLeader(h) ?? target(h, 0.5) : target(h, 0.5);
    if (!node) return;
    const ctx = `r${h.nextSeq()}`;
    h.stats.reads++;
    h.checker.onReadRequested(node, ctx);
    h.trace.log(h.now, () => `read ${ctx} on ${node.id}`);
    node.readIndex(enc.encode(ctx));
  },

  crash(h) {
    const node = target(h, 0.4);
    if (!node) return;
    if (!node.hasInflightReady && h.rng.chance(h.profile.crashMidFsync)) {
      // Crash at the next point where the disk holds writes not yet synced.
      node.crashAtNextSync = true;
      h.trace.log(h.now, () => `node ${node.id} will crash at its next fsync`);
      return;
    }
    h.crash(node, h.downtime(), 'fault');
  },

  partition(h) {
    const all = [...h.nodes.keys()];
    if (all.length < 2) return;
    const leader = h.leader();
    const kind = h.rng.pick(['split', 'isolate', 'one-way', 'mute', 'deaf'] as const);
    const focus = leader && h.rng.chance(0.7) ? leader.id : h.rng.pick(all);
    partitionAround(h, kind, focus);
  },

  healLinks(h) {
    if (h.network.activePartitions === 0) return;
    h.network.healAll();
    h.trace.log(h.now, 'all links healed');
  },

  membership(h) {
    const leader = h.leader();
    const raw = leader?.raw;
    if (!leader || !raw) return;
    const cs = raw.raft.trk.confState();
    const canGrow = h.nodes.size < h.profile.maxNodes;
    const options: Array<'add-voter' | 'add-learner' | 'promote' | 'remove'> = [];
    if (canGrow && cs.voters.length < 5) options.push('add-voter');
    if (canGrow) options.push('add-learner');
    if (cs.learners.length > 0 && cs.voters.length < 5) options.push('promote', 'promote');
    // Never shrink two voters to one: the survivor applies the change only once it
    // learns the commit, and until then it needs the removed node's vote, which a
    // removed node with a longer log (it led and took proposals) refuses forever,
    // while it may not campaign itself. Configuration-on-apply (etcd's design)
    // cannot recover from that; see the sim report.
    const removableVoters = cs.voters.length > 2 ? cs.voters : [];
    if (removableVoters.length > 0 || cs.learners.length > 0) options.push('remove');
    if (cs.voters.length > 3) options.push('remove');
    if (options.length === 0) return;
    const op = h.rng.pick(options);
    const empty = new Uint8Array(0);
    if (op === 'add-voter' || op === 'add-learner') {
      const id = h.freshId();
      const type = op === 'add-voter' ? ConfChangeType.AddVoter : ConfChangeType.AddLearner;
      const ok = leader.proposeConfChange({ type, nodeId: id, context: empty });
      h.trace.log(h.now, () => `${op} ${id} on leader ${leader.id}: ${ok ? 'proposed' : 'refused'}`);
      // The new server starts empty (no bootstrap) and waits for the leader to contact it.
      if (ok) h.createNode(id);
      return;
    }
    let id: NodeId;
    if (op === 'promote') {
      id = h.rng.pick(cs.learners);
    } else {
      id = h.rng.pick([...removableVoters, ...cs.learners]);
    }
    const type = op === 'promote' ? ConfChangeType.AddVoter : ConfChangeType.RemoveNode;
    const ok = leader.proposeConfChange({ type, nodeId: id, context: empty });
    h.trace.log(h.now, () => `${op} ${id} on leader ${leader.id}: ${ok ? 'proposed' : 'refused'}`);
  },

  compact(h) {
    const node = target(h, 0.5);
    if (!node) return;
    const snap = node.compact();
    if (!snap) return;
    h.stats.compactions++;
    h.checker.onSnapshotCreated(node, snap);
    h.trace.log(h.now, () => `node ${node.id} compacted its log up to ${snap.metadata.index}`);
  },

  pause(h) {
    // Mostly leaders: a leader frozen past its lease is what the lease clock must survive.
    const node = target(h, 0.7);
    if (!node) return;
    h.pause(node, h.rng.int(1, 3 * h.electionTime));
  },

  transfer(h) {
    const leader = h.leader();
    const raw = leader?.raw;
    if (!leader || !raw) return;
    const voters = raw.raft.trk.confState().voters.filter((id) => id !== leader.id);
    if (voters.length === 0) return;
    const to = h.rng.pick(voters);
    h.stats.transfers++;
    h.trace.log(h.now, () => `transfer leadership ${leader.id} -> ${to}`);
    leader.transferLeadership(to);
  },
};

export type PartitionKind = 'split' | 'isolate' | 'one-way' | 'mute' | 'deaf';

/**
 * Cuts links for a while: a random split, `focus` isolated, random one-way
 * links, or `focus` unable to send (mute) or to hear (deaf).
 */
export function partitionAround(h: ActionHost, kind: PartitionKind, focus: NodeId): void {
  const all = [...h.nodes.keys()];
  const others = all.filter((id) => id !== focus);
  const links: Array<[NodeId, NodeId]> = [];
  switch (kind) {
    case 'split': {
      const shuffled = h.rng.shuffled(all);
      const k = h.rng.int(1, all.length - 1);
      const a = shuffled.slice(0, k);
      const b = shuffled.slice(k);
      for (const x of a) for (const y of b) links.push([x, y], [y, x]);
      break;
    }
    case 'isolate':
      for (const o of others) links.push([focus, o], [o, focus]);
      break;
    case 'one-way': {
      const n = h.rng.int(1, all.length);
      for (let i = 0; i < n; i++) {
        const a = h.rng.pick(all);
        const b = h.rng.pick(all);
        if (a !== b) links.push([a, b]);
      }
      break;
    }
    case 'mute':
      for (const o of others) links.push([focus, o]);
      break;
    case 'deaf':
      for (const o of others) links.push([o, focus]);
      break;
  }
  if (links.length === 0) return;
  const id = h.network.addPartition(links);
  const duration = h.rng.int(Math.round(h.electionTime / 2), h.profile.maxPartitionElections * h.electionTime);
  h.stats.partitions++;
  h.scheduleLinkHeal(id, duration);
  h.trace.log(h.now, () => `partition ${id} (${kind}, focus ${focus}) for ${duration}: ${links.map(([a, b]) => `${a}>${b}`).join(' ')}`);
}

/** A live node: the leader with probability `leaderBias`, otherwise any. */
function anyLeader(h: ActionHost): SimNode | undefined {
  const leaders = h.upNodes().filter((n) => n.isLeader);
  return leaders.length > 0 ? h.rng.pick(leaders) : undefined;
}

function target(h: ActionHost, leaderBias: number): SimNode | undefined {
  const leader = h.leader();
  if (leader && h.rng.chance(leaderBias)) return leader;
  const up = h.upNodes();
  return up.length > 0 ? h.rng.pick(up) : undefined;
}
