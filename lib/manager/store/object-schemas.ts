// What a well-formed object of each kind looks like, mirroring lib/api/types.ts.
// A test validates a full sample of every type against these, so the two cannot
// drift apart silently.

import { MAX_SECRET_BYTES, SECRET_NAME_PATTERN } from '../../api/secret-types';
import { Kind } from '../../api/types';
import { networkSchema, serviceSchema, taskSchema } from './service-schemas';
import { arrayOf, bool, Check, cidr, matches, nonEmptyStr, nonNegInt, obj, oneOf, optional, posInt, record, str } from './schema';

/** Ids are random lowercase base36/hex strings (docker's are 25 chars); any such run of 1 to 64 is accepted. */
export const ID_PATTERN = /^[a-z0-9]{1,64}$/;
export const objectId = matches(ID_PATTERN, 'an id of 1 to 64 lowercase letters and digits');

const labels = record(str);

// A proposer may send an object it read from the store, meta and all; the store
// owns meta and overwrites it, so its content is not examined.
const anyMeta: Check = () => undefined;

const node = obj({
  id: objectId,
  meta: optional(anyMeta),
  spec: obj({
    name: optional(str),
    labels,
    desiredRole: oneOf('manager', 'worker'),
    availability: oneOf('active', 'pause', 'drain'),
  }),
  role: oneOf('manager', 'worker'),
  description: optional(
    obj({
      hostname: str,
      platform: obj({ os: str, arch: str }),
      resources: obj({ nanoCPUs: nonNegInt, memoryBytes: nonNegInt }),
      engine: optional(obj({ version: str, labels })),
      dataPath: optional(obj({ addr: str, hostKey: str })),
    }),
  ),
  status: obj({
    state: oneOf('unknown', 'down', 'ready', 'disconnected'),
    message: optional(str),
    addr: optional(str),
  }),
  managerStatus: optional(obj({ raftId: posInt, addr: str })),
});

const cluster = obj({
  id: objectId,
  meta: optional(anyMeta),
  name: nonEmptyStr,
  spec: obj({
    dispatcherHeartbeatMs: posInt,
    taskHistoryLimit: nonNegInt,
    raft: obj({ tickMs: posInt, electionTick: posInt, heartbeatTick: posInt, snapshotEvery: posInt }),
    addressPool: optional(obj({ pools: arrayOf(cidr), subnetSize: posInt })),
    autolock: optional(bool),
  }),
  joinTokens: obj({ worker: str, manager: str }),
  rootCA: obj({ certPem: str, keyPem: str, digest: str }),
  unlockKeys: optional(arrayOf(nonEmptyStr)),
});

const service = serviceSchema(objectId, anyMeta);
const task = taskSchema(objectId, anyMeta);
const network = networkSchema(objectId, anyMeta);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Base64 of 1 to MAX_SECRET_BYTES bytes: docker refuses empty secrets and larger ones. */
const secretData: Check = (v, p) => {
  if (typeof v !== 'string' || !BASE64.test(v)) return `${p} must be base64 text`;
  const bytes = (v.length / 4) * 3 - (v.endsWith('==') ? 2 : v.endsWith('=') ? 1 : 0);
  if (bytes < 1 || bytes > MAX_SECRET_BYTES) return `${p} must hold 1 to ${MAX_SECRET_BYTES} bytes (it holds ${bytes})`;
  return undefined;
};
const secretName = matches(SECRET_NAME_PATTERN, 'a name of 1 to 64 letters, digits, "-", "_" or ".", starting with a letter or digit');

const secret = obj({
  id: objectId,
  meta: optional(anyMeta),
  spec: obj({ name: secretName, labels, data: secretData }),
});

const config = obj({
  id: objectId,
  meta: optional(anyMeta),
  spec: obj({ name: secretName, labels, data: secretData, templating: optional(obj({ name: oneOf('golang') })) }),
});

export const OBJECT_SCHEMAS: Record<Kind, Check> = { cluster, node, network, secret, config, service, task };

const metaSchema = obj({
  version: posInt,
  createdAt: str,
  updatedAt: str,
});

/** A stored object (from a snapshot): the same shape, with a real meta. */
export function checkStoredObject(kind: Kind, value: unknown, path: string): string | undefined {
  const err = OBJECT_SCHEMAS[kind](value, path);
  if (err) return err;
  return metaSchema((value as { meta?: unknown }).meta, `${path}.meta`);
}
