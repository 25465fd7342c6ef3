// Every node runs an agent: it registers the node with the leader's
// dispatcher and heartbeats. The managers' addresses it learns are kept in
// identity.json, so a restarted node knows whom to dial.

import { RaftLogger } from '../raft/core/config';
import { Agent } from '../worker';
import { Credentials } from './credentials';
import { DataDirLayout } from './data-dir';
import { describeHost } from './describe-host';
import { NodeIdentity, writeIdentity } from './identity';

export function runNodeAgent(
  dir: DataDirLayout,
  identity: () => NodeIdentity,
  setIdentity: (id: NodeIdentity) => void,
  creds: Credentials,
  log: RaftLogger,
): Agent {
  const id = identity();
  const agent = new Agent({
    nodeId: id.nodeId,
    clusterId: id.clusterId,
    credentials: creds,
    managers: id.managers.length > 0 ? id.managers : [id.advertiseAddr],
    describe: () => describeHost({ hostname: identity().hostname, dockerHost: identity().dockerHost }),
    logger: { warn: (m) => log.warn(`agent: ${m}`), info: (m) => log.info(`agent: ${m}`) },
  });
  let saving = Promise.resolve();
  agent.on('managers', (managers: readonly string[]) => {
    const current = identity();
    if (JSON.stringify([...managers].sort()) === JSON.stringify([...current.managers].sort())) return;
    const next = { ...current, managers: [...managers] };
    setIdentity(next);
    saving = saving.then(() => writeIdentity(dir.identity, next)).catch((e: unknown) => log.warn(`could not save the managers' addresses: ${String(e)}`));
  });
  agent.start();
  return agent;
}
