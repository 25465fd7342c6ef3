// One-line pictures of the cluster for liveness failures and the verbose trace.

import { NodeId, Ready, StateType } from '../core/types';
import { SimNode } from './sim-node';

/** Per node: role, term, commit, applied, last index and configuration. */
export function describeState(nodes: ReadonlyMap<NodeId, SimNode>): string {
  const parts: string[] = [];
  for (const n of nodes.values()) {
    const r = n.raw?.raft;
    if (!r) {
      parts.push(`${n.id}:down`);
      continue;
    }
    const cs = r.trk.confState();
    const conf = `v${cs.voters.join(',')}${cs.learners.length > 0 ? `+l${cs.learners.join(',')}` : ''}`;
    parts.push(`${n.id}:${StateType[r.state]}/t${r.term}/c${r.raftLog.committed}/a${n.app.applied}/l${r.raftLog.lastIndex()}/${conf}`);
  }
  return parts.join(' ');
}

/** What a leader knows of each member's log. */
export function describeProgress(leader: SimNode | undefined): string {
  const st = leader?.raw?.status();
  if (!st?.progress) return 'no leader';
  const parts: string[] = [];
  for (const [id, pr] of st.progress) {
    parts.push(`${id}:${pr.state}/m${pr.match}/n${pr.next}${pr.isLearner ? '/learner' : ''}${pr.recentActive ? '' : '/inactive'}`);
  }
  return parts.join(' ');
}

/** The durable side of a Ready: role change, hard state, snapshot, entries. */
export function describeReady(node: SimNode, rd: Ready): string {
  const r = node.raw?.raft;
  const hs = rd.hardState ? ` hard(t${rd.hardState.term} v${rd.hardState.vote} c${rd.hardState.commit})` : '';
  const ss = rd.softState ? ` ${StateType[rd.softState.state]} lead ${rd.softState.lead}` : '';
  const sn = rd.snapshot ? ` snapshot@${rd.snapshot.metadata.index}` : '';
  // Never happens in a correct core; flags the figure-8 mutant in traces.
  const oldTerm = r && rd.hardState && r.state === StateType.Leader && r.raftLog.zeroTermOnErr(rd.hardState.commit) < r.term;
  const sync = rd.mustSync ? ' (sync)' : '';
  return `node ${node.id}:${ss}${hs}${sn} entries ${rd.entries.length} last ${r?.raftLog.lastIndex()}${sync}${oldTerm ? ' OLD-TERM COMMIT' : ''}`;
}
