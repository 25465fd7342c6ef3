// `service create` refuses an image that cannot be had, before anything is
// stored (docker resolves the image against its registry for the same
// reason). Checked on this manager's engine: present, or pulled now. A
// manager without an engine (process runtime, or none answering) cannot
// judge, and lets the service through; the nodes report a bad image then.

import { ensureImage } from '../worker/executor/docker/image';
import { dockerFor } from './describe-host';
import { NodeIdentity } from './identity';

const PING_MS = 2_000;
const PULL_MS = 60_000;

export async function checkImage(identity: NodeIdentity, image: string): Promise<void> {
  if (identity.runtime === 'process') return;
  const docker = dockerFor(identity.dockerHost);
  try {
    await within(docker.ping(), PING_MS);
  } catch {
    return;
  }
  try {
    await within(ensureImage(docker, image), PULL_MS);
  } catch (e) {
    throw new Error(`image ${image} could not be found or pulled: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer from the engine within ${ms / 1000} s`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
