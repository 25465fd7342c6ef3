// Promotion and demotion on the dispatcher's side: when the store wants a
// node in another role than its certificate gives it, the session is told;
// the agent answers with a certificate request for its own key, and the
// certificate goes back once the store records the change:
//   - promotion: the node becomes a manager with a Raft id and the address it
//     listens on; the leader's membership loop then adds it to Raft;
//   - demotion: only once its Raft id has left the configuration (a node that
//     stopped being a member while still counted would cost the quorum), and
//     then its Raft id is forgotten.
// Every step can be repeated: a lost message or a crash leads to the same
// question being asked again, and the Raft id recorded first is reused.

import type { NodeRole } from '../../api/types';
import { newRaftId } from '../../api/ids';
import { signNodeCertificate } from '../../ca';
import { ManagerError } from '../errors';
import { thaw } from '../store';
import type { AgentSession } from './agent-session';
import type { DispatcherHost, DispatcherLogger } from './dispatcher';
import type { Clock } from './timers';

const WRITE_RETRIES = 5;
/** A roleChange not answered by a certificate request within this long is sent again. */
const ASK_AGAIN_MS = 10_000;

export class RoleChanges {
  constructor(
    private readonly host: DispatcherHost,
    private readonly logger: DispatcherLogger,
    private readonly now: Clock,
  ) {}

  /** The role the node should be given now, or undefined when nothing is to change (yet). */
  private pending(s: AgentSession): NodeRole | undefined {
    const node = this.host.store.get('node', s.nodeId);
    if (!node) return undefined;
    const want = node.spec.desiredRole;
    if (want === s.certRole) return undefined;
    if (want === 'worker' && node.managerStatus && this.inRaft(node.managerStatus.raftId)) return undefined;
    return want;
  }

  private inRaft(raftId: number): boolean {
    return this.host.raftMembers?.().includes(raftId) ?? false;
  }

  /** Asks the session's agent for a certificate request when its role must change. */
  check(s: AgentSession): void {
    // Only once the agent has its `registered` answer: it drops anything sent before.
    if (!s.answered || !s.isOpen || s.certBusy) return;
    const want = this.pending(s);
    if (want === undefined) return;
    // Asked already: again only if no certificate request came back in a while.
    if (s.roleAsked === want && this.now() - s.roleAskedAt < ASK_AGAIN_MS) return;
    s.roleAsked = want;
    s.roleAskedAt = this.now();
    this.logger.info?.(`asking node ${s.nodeId} to become a ${want}`);
    s.send({ v: 1, type: 'roleChange', role: want });
  }

  async certRequest(s: AgentSession, csrPem: string, advertiseAddr: string): Promise<void> {
    if (s.certBusy) return;
    s.certBusy = true;
    try {
      const want = this.pending(s);
      // Asked for nothing, or the wish changed meanwhile: the next check asks again.
      if (want === undefined) return;
      const cluster = this.host.store.list('cluster')[0];
      if (!cluster) throw new Error('the cluster object is missing');
      const certPem = await signNodeCertificate({ ca: cluster.rootCA, csrPem, nodeId: s.nodeId, role: want, clusterId: cluster.id });
      const raftId = await this.record(s.nodeId, want, advertiseAddr);
      if (!s.isOpen) return;
      this.logger.info?.(`node ${s.nodeId} is now a ${want}${raftId ? ` (raft id ${raftId})` : ''}`);
      s.send(
        want === 'manager'
          ? { v: 1, type: 'certificate', role: want, certPem, raftId, raft: { ...cluster.spec.raft }, ...autolockKey(cluster) }
          : { v: 1, type: 'certificate', role: want, certPem },
      );
    } catch (e) {
      s.roleAsked = undefined;
      this.logger.warn(`role change of node ${s.nodeId} failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      s.certBusy = false;
    }
  }

  /** Writes the node's new role; returns its Raft id for a manager. */
  private async record(nodeId: string, role: NodeRole, advertiseAddr: string): Promise<number | undefined> {
    for (let attempt = 1; ; attempt++) {
      const current = this.host.store.get('node', nodeId);
      if (!current) throw new Error('the node was removed');
      const next = thaw(current);
      let raftId: number | undefined;
      if (role === 'manager') {
        raftId = current.managerStatus?.raftId ?? newRaftId();
        next.role = 'manager';
        next.managerStatus = { raftId, addr: advertiseAddr };
      } else {
        next.role = 'worker';
        delete next.managerStatus;
      }
      try {
        await this.host.write([{ op: 'update', kind: 'node', object: next, expectedVersion: current.meta.version }]);
        return raftId;
      } catch (e) {
        if (e instanceof ManagerError && e.code === 'Conflict' && attempt < WRITE_RETRIES) continue;
        throw e;
      }
    }
  }
}

/** An autolocked cluster's current unlock key, for a node becoming a manager (docs/encryption.md). */
export function autolockKey(cluster: { readonly spec: { readonly autolock?: boolean }; readonly unlockKeys?: readonly string[] }): { unlockKey?: string } {
  const key = cluster.spec.autolock ? cluster.unlockKeys?.[0] : undefined;
  return key ? { unlockKey: key } : {};
}
