// Docker's swarm mode on the shared engine: switched on for the bench when it
// is off (and switched off again afterwards), used as is when this engine is
// already a swarm manager, refused with the reason otherwise.

import { freePort } from '../../lib/raft/process/process-cluster';
import { engine } from './engine';
import { execTool } from './exec';
import { checkNotAborted, Cleanup, log } from './lifecycle';

/** Created by the engine on the first swarm task, and left behind by `swarm leave`. */
const GW_BRIDGE = 'docker_gwbridge';

interface SwarmInfo {
  LocalNodeState?: string;
  ControlAvailable?: boolean;
  Error?: string;
}

async function swarmInfo(): Promise<SwarmInfo> {
  return ((await engine.info()) as { Swarm?: SwarmInfo }).Swarm ?? {};
}

async function networkExists(name: string): Promise<boolean> {
  return (await engine.listNetworks({ filters: { name: [name] } })).some((n) => n.Name === name);
}

/**
 * Makes the engine a swarm manager; throws with the engine's reason when it
 * cannot be one. Registers the undoing of whatever it changed.
 */
export async function ensureSwarmMode(cleanup: Cleanup): Promise<void> {
  checkNotAborted();
  const before = await swarmInfo();
  const state = before.LocalNodeState ?? 'unknown';
  if (state === 'active') {
    if (!before.ControlAvailable) throw new Error('the engine is in a swarm already, as a worker: services can only be created on a manager');
    log('docker swarm: the engine is already a swarm manager; using that swarm as is (it is left active afterwards)');
    return;
  }
  if (state !== 'inactive') throw new Error(`the engine's swarm state is "${state}"${before.Error ? ` (${before.Error})` : ''}; the bench only switches on an inactive one`);

  const hadGwBridge = await networkExists(GW_BRIDGE);
  cleanup.add('docker swarm leave --force', async () => {
    if ((await swarmInfo()).LocalNodeState !== 'inactive') await execTool('docker', ['swarm', 'leave', '--force'], 30_000, true);
    // Only when this run caused it: another user of the engine may rely on an existing one.
    if (!hadGwBridge && (await networkExists(GW_BRIDGE))) await engine.getNetwork(GW_BRIDGE).remove();
  });
  // Loopback only, and a free port rather than 2377, which another swarm on this machine may hold.
  const listen = `127.0.0.1:${await freePort()}`;
  const r = await execTool('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', listen], 60_000);
  log(`docker swarm: initialised for this run (listen ${listen}, ${Math.round(r.ms)} ms)`);
}
