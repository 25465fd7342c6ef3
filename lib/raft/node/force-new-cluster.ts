// Disaster recovery (`swarm init --force-new-cluster`, etcd's
// --force-new-cluster): rewrites a stopped member's log so that, when it
// starts, it is the only voter of its cluster, holding every committed entry.
//
// What is kept and what is lost: everything up to this member's commit index
// stays; entries after it were never acknowledged as committed to this
// member and are dropped (another member may have committed them, which is
// the price of recovering without a quorum). Then one RemoveNode entry per
// other member is appended and marked committed, so the ordinary apply path
// shrinks the configuration to this member. The new entries take a term
// above any this member has seen: an old member that comes back holds other
// entries at those indexes, and a higher term keeps the log-matching property
// (the same index and term mean the same entry) true.

import { decodeConfChange, encodeConfChange } from '../codec';
import { ConfChangeType, ConfState, Entry, EntryType, NodeId, NONE } from '../core/types';
import { DiskStorage, DiskStorageOptions } from '../storage';

export interface ForceNewClusterResult {
  /** Members removed from the configuration. */
  removed: NodeId[];
  /** Entries after the commit index that were dropped. */
  dropped: number;
  /** Index of the last entry, now committed. */
  commit: number;
}

export class ForceNewClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForceNewClusterError';
  }
}

/** The configuration after applying the committed conf changes to the snapshot's. */
function committedConfig(base: ConfState, entries: readonly Entry[], commit: number): ConfState {
  const voters = new Set(base.voters);
  const learners = new Set(base.learners);
  for (const e of entries) {
    if (e.index > commit) break;
    if (e.type !== EntryType.ConfChange) continue;
    const cc = decodeConfChange(e.data);
    switch (cc.type) {
      case ConfChangeType.AddVoter:
        learners.delete(cc.nodeId);
        voters.add(cc.nodeId);
        break;
      case ConfChangeType.AddLearner:
        if (!voters.has(cc.nodeId)) learners.add(cc.nodeId);
        break;
      case ConfChangeType.RemoveNode:
        voters.delete(cc.nodeId);
        learners.delete(cc.nodeId);
        break;
    }
  }
  return { voters: [...voters], learners: [...learners] };
}

/** Rewrites the log in `dataDir` (the member must not be running). */
/** `storage` carries the data key when the log is encrypted. */
export async function forceNewCluster(dataDir: string, selfId: NodeId, storage: DiskStorageOptions = {}): Promise<ForceNewClusterResult> {
  const { storage: disk, state } = await DiskStorage.open(dataDir, storage);
  try {
    const { hardState, snapshot, entries } = state;
    const base = snapshot?.metadata.confState ?? { voters: [], learners: [] };
    const conf = committedConfig(base, entries, hardState.commit);
    if (!conf.voters.includes(selfId)) {
      throw new ForceNewClusterError(
        conf.voters.length === 0 && hardState.commit === 0
          ? 'this manager holds no committed Raft state to recover from'
          : `this manager (raft id ${selfId}) is not a voter of its last known configuration, so its data may be incomplete`,
      );
    }
    const others = [...conf.voters, ...conf.learners].filter((id) => id !== selfId).sort((a, b) => a - b);
    // Already the only member: its log is the cluster's whole truth, uncommitted tail included.
    if (others.length === 0) return { removed: [], dropped: 0, commit: hardState.commit };
    const lastTerm = entries.length > 0 ? entries[entries.length - 1].term : (snapshot?.metadata.term ?? 0);
    const term = Math.max(hardState.term, lastTerm) + 1;
    let index = hardState.commit;
    // Appended at commit+1, they replace the uncommitted suffix.
    const appended: Entry[] = others.map((nodeId) => ({
      term,
      index: ++index,
      type: EntryType.ConfChange,
      data: encodeConfChange({ type: ConfChangeType.RemoveNode, nodeId, context: new Uint8Array(0) }),
    }));
    const dropped = entries.filter((e) => e.index > hardState.commit).length;
    await disk.save({ term, vote: NONE, commit: index }, appended, true);
    return { removed: others, dropped, commit: index };
  } finally {
    await disk.close();
  }
}
