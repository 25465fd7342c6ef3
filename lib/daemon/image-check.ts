// `service create` refuses an image that cannot be had, before anything is
// stored (docker resolves the image against its registry for the same
// reason). Checked on this manager's engine: present, or pulled now. A
// manager without an engine (process runtime, or none answering) cannot
// judge, and lets the service through; the nodes report a bad image then.

import { ensureImage } from '../worker/executor/docker/image';
import { withTimeout } from '../util/with-timeout';
import { dockerFor } from './describe-host';
import { NodeIdentity } from './identity';

const PING_MS = 2_000;
const PULL_MS = 60_000;

export async function checkImage(identity: NodeIdentity, image: string): Promise<void> {
  if (identity.runtime === 'process') return;
  const docker = dockerFor(identity.dockerHost);
  try {
    await withTimeout(docker.ping(), PING_MS, 'the Docker engine');
  } catch {
    return;
  }
  try {
    await withTimeout(ensureImage(docker, image), PULL_MS, `pulling ${image}`);
  } catch (e) {
    throw new Error(`image ${image} could not be found or pulled: ${e instanceof Error ? e.message : String(e)}`);
  }
}
