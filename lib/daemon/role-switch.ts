// The node's side of `swarm node promote/demote`: the leader's dispatcher
// asks for a certificate request (roleChange), the agent sends one for the
// node's own key, and the certificate that comes back is checked, saved with
// the new identity, and handed to the daemon runner, which restarts the node
// in its new role in the same process (node-runner.ts).
//
// The identity is written before the certificate: after a crash in between
// the node runs in its new role with its old certificate, the dispatcher sees
// the mismatch and reissues it.

import { createPrivateKey, X509Certificate } from 'crypto';
import { ManagerMessage } from '../api/dispatcher-protocol';
import { createCSR, loadNodeKey, verifyNodeCertificate } from '../ca';
import { RaftLogger } from '../raft/core/config';
import { Agent } from '../worker';
import { Credentials, writeCertificate, writeNodeKey } from './credentials';
import { DataDirLayout } from './data-dir';
import { NodeIdentity, writeIdentity } from './identity';
import type { PidLock } from './pid-lock';

export interface RoleSwitch {
  identity: NodeIdentity;
  creds: Credentials;
  /** A new manager of an autolocked cluster: the unlock key to seal its keys with before Raft starts. */
  unlockKey?: string;
}

/** What a daemon that stopped to change role hands to the next one: the new role and the data dir's lock. */
export interface Handover extends RoleSwitch {
  lock: PidLock;
}

type CertificateMessage = Extract<ManagerMessage, { type: 'certificate' }>;

export function followRoleChanges(
  agent: Agent,
  o: {
    dir: DataDirLayout;
    identity: () => NodeIdentity;
    creds: Credentials;
    log: RaftLogger;
    /** While true, role changes are ignored (the node is leaving the swarm). */
    paused?: () => boolean;
    onSwitch: (next: RoleSwitch) => void;
  },
): void {
  let switching = false;
  const fail = (what: string) => (e: unknown) => o.log.warn(`role change: ${what}: ${e instanceof Error ? e.message : String(e)}`);

  const requestCertificate = async (): Promise<void> => {
    const id = o.identity();
    const csrPem = await createCSR(await loadNodeKey(o.creds.keyPem), { nodeId: id.nodeId });
    if (!agent.send({ v: 1, type: 'certRequest', csrPem, advertiseAddr: id.advertiseAddr })) {
      o.log.warn('role change: no session to send the certificate request on; the dispatcher will ask again');
    }
  };

  const accept = async (m: CertificateMessage): Promise<void> => {
    const id = o.identity();
    const info = await verifyNodeCertificate(m.certPem, o.creds.caCertPem);
    if (info.nodeId !== id.nodeId || info.clusterId !== id.clusterId || info.role !== m.role) {
      throw new Error(`the certificate names node ${info.nodeId} as ${info.role} of ${info.clusterId}, not this node as ${m.role}`);
    }
    if (!new X509Certificate(m.certPem).checkPrivateKey(createPrivateKey(o.creds.keyPem))) {
      throw new Error("the certificate is not for this node's key");
    }
    if (m.role === 'manager' && (m.raftId === undefined || m.raft === undefined)) {
      throw new Error('a manager certificate came without a Raft id and timing');
    }
    const next: NodeIdentity = { ...id, role: m.role, initPending: false };
    if (m.role === 'manager') {
      next.raftId = m.raftId;
      next.raft = m.raft;
    } else {
      delete next.raftId;
      delete next.raft;
    }
    delete next.initPending;
    const creds = { ...o.creds, certPem: m.certPem };
    // The key's stored form changes on the side of the identity that keeps a
    // restart possible after a crash in between: a worker's key is never sealed
    // (unsealed before it is a worker), a manager's may be plain for a moment
    // (its daemon seals it as soon as it knows the unlock key).
    if (m.role === 'worker') await writeNodeKey(o.dir.certs, o.creds.keyPem);
    await writeIdentity(o.dir.identity, next);
    if (m.role === 'manager' && m.unlockKey) await writeNodeKey(o.dir.certs, o.creds.keyPem, m.unlockKey);
    await writeCertificate(o.dir.certs, m.certPem);
    o.log.info(`role change: this node is now a ${m.role}; restarting in that role`);
    o.onSwitch(m.unlockKey ? { identity: next, creds, unlockKey: m.unlockKey } : { identity: next, creds });
  };

  agent.on('message', (m) => {
    if (switching || o.paused?.()) return;
    if (m.type === 'roleChange') {
      o.log.info(`role change: the swarm wants this node to be a ${m.role}`);
      requestCertificate().catch(fail('could not request a certificate'));
    } else if (m.type === 'certificate') {
      switching = true;
      accept(m).catch((e: unknown) => {
        switching = false;
        fail('refused the certificate')(e);
      });
    }
  });
}
