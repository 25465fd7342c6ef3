// What `swarm secret …` and `swarm config …` do on a manager: create, find,
// relabel and remove the two kinds of small blobs a service's containers read
// as files. The store enforces the rules every manager must agree on (unique
// names, data immutable, one in use stays, see store/secret-invariants.ts);
// these check what can be said earlier and more clearly, and turn the names a
// user typed into ids.

import { configTemplateProblem } from '../api/config-template';
import { MAX_SECRET_BYTES, SECRET_NAME_PATTERN } from '../api/secret-types';
import { Config, Secret } from '../api/types';
import { ControlHost } from './control-host';
import { ManagerError } from './errors';
import { DeepReadonly, thaw } from './store';

export type BlobKind = 'secret' | 'config';
export type Blob = Secret | Config;

export interface BlobCreate {
  name: string;
  labels?: Record<string, string>;
  /** The content, base64. */
  data: string;
  /** Configs only: golang, with the placeholders lib/api/config-template.ts lists. */
  templateDriver?: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bytes that base64 text holds, without decoding it. */
export function base64Bytes(data: string): number {
  return (data.length / 4) * 3 - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
}

function checkLabels(labels: unknown): Record<string, string> {
  if (labels === undefined) return {};
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) throw new ManagerError('Invalid', 'labels must be an object of strings');
  for (const [k, v] of Object.entries(labels)) {
    if (k === '') throw new ManagerError('Invalid', 'a label key cannot be empty');
    if (typeof v !== 'string') throw new ManagerError('Invalid', `label ${k} must be a string`);
  }
  return { ...(labels as Record<string, string>) };
}

/** Everything about a new secret or config that can be wrong without reading the cluster; the spec to store. */
export function blobSpec(kind: BlobKind, c: BlobCreate): Blob['spec'] {
  if (typeof c.name !== 'string' || !SECRET_NAME_PATTERN.test(c.name)) {
    throw new ManagerError(
      'Invalid',
      `invalid ${kind} name ${JSON.stringify(c.name)}: use letters, digits, '_', '.' and '-', starting with a letter or digit, at most 64 characters`,
    );
  }
  if (typeof c.data !== 'string' || !BASE64.test(c.data)) throw new ManagerError('Invalid', `${kind} ${c.name}: the data must be base64 text`);
  const bytes = base64Bytes(c.data);
  if (bytes < 1) throw new ManagerError('Invalid', `${kind} ${c.name} is empty: a ${kind} must hold at least 1 byte`);
  if (bytes > MAX_SECRET_BYTES) {
    throw new ManagerError('Invalid', `${kind} ${c.name} is ${bytes} bytes: a ${kind} may hold at most ${MAX_SECRET_BYTES} bytes (500 KiB)`);
  }
  const spec: Blob['spec'] = { name: c.name, labels: checkLabels(c.labels), data: c.data };
  if (c.templateDriver !== undefined && c.templateDriver !== '') {
    if (kind === 'secret') throw new ManagerError('Invalid', `secret ${c.name}: template drivers are not supported for secrets`);
    if (c.templateDriver !== 'golang') throw new ManagerError('Invalid', `config ${c.name}: unknown template driver ${JSON.stringify(c.templateDriver)} (only golang)`);
    // Stored only if the nodes can render all of it: never delivered half-rendered.
    const problem = configTemplateProblem(Buffer.from(c.data, 'base64').toString('utf8'));
    if (problem) throw new ManagerError('Invalid', `config ${c.name}: ${problem}`);
    return { ...spec, templating: { name: 'golang' } };
  }
  return spec;
}

export function resolveBlob(h: ControlHost, kind: BlobKind, ref: string): DeepReadonly<Blob> {
  const r = h.store.resolve(kind, ref);
  if (r.ok) return r.object;
  throw new ManagerError(r.error.code === 'Ambiguous' ? 'Invalid' : 'NotFound', r.error.code === 'NotFound' ? `no such ${kind}: ${ref}` : r.error.message);
}

export async function createBlob(h: ControlHost, kind: BlobKind, c: BlobCreate): Promise<DeepReadonly<Blob>> {
  const spec = blobSpec(kind, c);
  await h.syncRead();
  if (h.store.findByName(kind, spec.name).length > 0) throw new ManagerError('Conflict', `${kind} ${spec.name} already exists`);
  const id = h.ids();
  await h.write([{ op: 'create', kind, object: { id, spec } }]);
  return h.store.get(kind, id) as DeepReadonly<Blob>;
}

/** docker's `secret update`: only the labels change. `version` (from a read) makes a concurrent change fail instead of being lost. */
export async function updateBlobLabels(h: ControlHost, kind: BlobKind, ref: string, labels: unknown, version?: number): Promise<DeepReadonly<Blob>> {
  const next = checkLabels(labels);
  await h.syncRead();
  const current = resolveBlob(h, kind, ref);
  const object = thaw(current) as Blob;
  object.spec.labels = next;
  await h.write([{ op: 'update', kind, object, expectedVersion: version ?? current.meta.version }]);
  return h.store.get(kind, current.id) as DeepReadonly<Blob>;
}

/** Refused while a service uses it: the store's message names the services. */
export async function removeBlob(h: ControlHost, kind: BlobKind, ref: string): Promise<string> {
  await h.syncRead();
  const b = resolveBlob(h, kind, ref);
  await h.write([{ op: 'delete', kind, id: b.id, expectedVersion: b.meta.version }]);
  return b.id;
}

/** What the API shows of a secret: never its data, not even its size. */
export function secretView(s: DeepReadonly<Blob>): { id: string; meta: Blob['meta']; spec: { name: string; labels: Record<string, string> } } {
  return { id: s.id, meta: { ...s.meta }, spec: { name: s.spec.name, labels: { ...s.spec.labels } } };
}
