// A service's secret and config references as the user named them turned into
// ids, when the service is written. A reference the CLI builds carries the
// name only (an empty id); one read back from the store keeps its id, so a
// `service update` that does not touch it leaves it alone. Two references may
// not put files at the same place in the container.

import { ConfigReference, FileTarget, SecretReference } from '../api/secret-types';
import { ServiceSpec } from '../api/service-types';
import { ManagerError } from './errors';
import type { BlobKind } from './secret-ops';
import type { MemoryStore } from './store';

/** A secret or config as far as a reference cares: stored, or about to be created in the same transaction. */
export interface BlobRef {
  readonly id: string;
  readonly spec: { readonly name: string };
}

/** Finds one by exact id or name (no prefixes: a reference in a spec should not guess); undefined when there is none. */
export type BlobLookup = (kind: BlobKind, ref: string) => BlobRef | undefined;

/** The lookup over what is stored. */
export function storedBlobs(store: MemoryStore): BlobLookup {
  return (kind, ref) => store.get(kind, ref) ?? store.findByName(kind, ref)[0];
}

/** Where a file lands in the container: secrets under /run/secrets unless absolute, configs at the root. */
export function targetPath(kind: BlobKind, file: FileTarget): string {
  if (file.name.startsWith('/')) return file.name;
  return kind === 'secret' ? `/run/secrets/${file.name}` : `/${file.name}`;
}

export function resolveServiceBlobs(spec: ServiceSpec, lookup: BlobLookup): ServiceSpec {
  const c = spec.task?.container;
  if (!c || !Array.isArray(c.secrets ?? []) || !Array.isArray(c.configs ?? [])) return spec;
  if ((c.secrets ?? []).length === 0 && (c.configs ?? []).length === 0) return spec;
  const targets = new Map<string, string>();
  const problems: string[] = [];
  const place = (kind: BlobKind, name: string, file: FileTarget | undefined) => {
    // A malformed target is the schema's to report, after this.
    if (typeof file?.name !== 'string') return;
    const path = targetPath(kind, file);
    const other = targets.get(path);
    if (other) problems.push(`service ${spec.name}: ${kind} ${name} and ${other} both target ${path}`);
    targets.set(path, `${kind} ${name}`);
  };
  const find = (kind: BlobKind, id: string, name: string): BlobRef | undefined => {
    const byId = id !== '' ? lookup(kind, id) : undefined;
    if (byId && byId.id === id) return byId;
    const found = lookup(kind, name === '' ? id : name);
    if (!found) problems.push(`service ${spec.name}: ${kind} not found: ${name === '' ? id : name}`);
    return found;
  };
  const secrets = (c.secrets ?? []).flatMap((r): SecretReference[] => {
    const b = find('secret', r.secretId ?? '', r.secretName ?? '');
    if (!b) return [];
    place('secret', b.spec.name, r.file);
    return [{ secretId: b.id, secretName: b.spec.name, file: { ...r.file } }];
  });
  const configs = (c.configs ?? []).flatMap((r): ConfigReference[] => {
    const b = find('config', r.configId ?? '', r.configName ?? '');
    if (!b) return [];
    place('config', b.spec.name, r.file);
    return [{ configId: b.id, configName: b.spec.name, file: { ...r.file } }];
  });
  if (problems.length > 0) throw new ManagerError(problems.some((p) => / not found: /.test(p)) ? 'NotFound' : 'Invalid', problems.join('\n'));
  const container = { ...c };
  if (c.secrets !== undefined) container.secrets = secrets;
  if (c.configs !== undefined) container.configs = configs;
  return { ...spec, task: { ...spec.task, container } };
}

/**
 * The spec with a stand-in id in each reference the CLI sent by name only, so
 * its shape can be checked before the store is read (a bad spec is refused
 * at once, even without a quorum); the real ids come from resolveServiceBlobs.
 */
export function withStandInIds(spec: ServiceSpec): ServiceSpec {
  const c = spec.task?.container;
  if (!c || !Array.isArray(c.secrets ?? []) || !Array.isArray(c.configs ?? [])) return spec;
  if ((c.secrets ?? []).length === 0 && (c.configs ?? []).length === 0) return spec;
  const container = { ...c };
  if (c.secrets) container.secrets = c.secrets.map((r) => (r?.secretId === '' ? { ...r, secretId: 'unresolved' } : r));
  if (c.configs) container.configs = c.configs.map((r) => (r?.configId === '' ? { ...r, configId: 'unresolved' } : r));
  return { ...spec, task: { ...spec.task, container } };
}
