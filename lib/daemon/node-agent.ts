// Every node runs an agent: it registers the node with the leader's
// dispatcher and heartbeats. The managers' addresses it learns are kept in
// identity.json, so a restarted node knows whom to dial. Its tasks run
// through the executor, and its share of service networking (lib/network)
// follows the network table the dispatcher sends and the tasks it runs.

import { join } from 'path';
import { hostKey } from '../network/host-key';
import { NodeNetwork } from '../network/node-network';
import { RaftLogger } from '../raft/core/config';
import { Agent } from '../worker';
import { createDockerExecutor, createProcessExecutor, Executor } from '../worker/executor';
import { TaskWorker } from '../worker/task-worker';
import type { Task } from '../api/service-types';
import { Credentials } from './credentials';
import { DataDirLayout } from './data-dir';
import { describeHost, dockerFor } from './describe-host';
import { NodeIdentity, writeIdentity } from './identity';

export function runNodeAgent(
  dir: DataDirLayout,
  identity: () => NodeIdentity,
  setIdentity: (id: NodeIdentity) => void,
  creds: Credentials,
  log: RaftLogger,
): { agent: Agent; tasks: TaskWorker; network: NodeNetwork } {
  const id = identity();
  const network = new NodeNetwork({
    nodeId: id.nodeId,
    clusterId: id.clusterId,
    hostKey: hostKey(),
    publishAddr: id.publishAddr,
    credentials: creds,
    runtime: id.runtime ?? 'docker',
    // Process tasks are not reached by our DNS; this file names the services they may call.
    hostsFile: id.runtime === 'process' ? join(dir.root, 'network', 'hosts') : undefined,
    logger: { warn: (m) => log.warn(m), info: (m) => log.info(m) },
  });
  const agent = new Agent({
    nodeId: id.nodeId,
    clusterId: id.clusterId,
    credentials: creds,
    managers: id.managers.length > 0 ? id.managers : [id.advertiseAddr],
    describe: () => describeHost({ hostname: identity().hostname, dockerHost: identity().dockerHost, dataPathAddr: identity().advertiseAddr }),
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
  // Created before the agent starts, so the first assignments are not missed; the
  // executor reports through the worker, which exists by the time anything runs.
  const ref: { worker?: TaskWorker } = {};
  const onStatus: Parameters<typeof createDockerExecutor>[0]['onStatus'] = (taskId, status) => {
    network.onStatus(taskId, status);
    ref.worker?.onStatus(taskId, status);
  };
  const logger = { warn: (m: string) => log.warn(`executor: ${m}`), info: (m: string) => log.info(`executor: ${m}`) };
  const taskNetwork = { dns: () => network.containerDns(), processEnv: (t: Task) => network.processEnv(t) };
  const executor: Executor =
    id.runtime === 'process'
      ? createProcessExecutor({ nodeId: id.nodeId, onStatus, logger, stateDir: dir.tasks, network: taskNetwork })
      : createDockerExecutor({ nodeId: id.nodeId, onStatus, logger, docker: dockerFor(id.dockerHost), network: taskNetwork });
  agent.on('message', (m) => {
    if (m.type === 'netUpdate') network.onNetUpdate(m);
  });
  agent.on('assignments', (tasks) => network.onAssignments(tasks));
  // Containers are created once the table is there: they are given the cluster's DNS address.
  const worker = new TaskWorker(agent, executor, { warn: (m) => log.warn(`tasks: ${m}`) }, { id: id.nodeId, hostname: id.hostname }, () => network.ready());
  ref.worker = worker;
  network.start();
  agent.start();
  return { agent, tasks: worker, network };
}
