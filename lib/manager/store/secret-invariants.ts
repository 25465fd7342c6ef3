// What the store guarantees about secrets and configs, checked as an entry is
// applied so every manager decides alike: a service names only secrets and
// configs that exist (a concurrent `secret rm` loses, not the service), one in
// use stays, and their data never changes (docker's rule: a new content takes
// a new name, so running tasks never see a file change under them).

import { Config, Secret, Service } from '../../api/types';
import { DeepReadonly } from './deep-freeze';

type Blob = DeepReadonly<Secret> | DeepReadonly<Config>;

/** Why the service cannot be written, or undefined when every secret and config it names exists. */
export function missingSecretOrConfig(
  service: DeepReadonly<Service>,
  exists: (kind: 'secret' | 'config', id: string) => boolean,
): string | undefined {
  const c = service.spec.task.container;
  for (const r of c.secrets ?? []) {
    if (!exists('secret', r.secretId)) return `service ${service.spec.name} uses secret ${r.secretName} (${r.secretId}), which does not exist`;
  }
  for (const r of c.configs ?? []) {
    if (!exists('config', r.configId)) return `service ${service.spec.name} uses config ${r.configName} (${r.configId}), which does not exist`;
  }
  return undefined;
}

/** Why the update is refused: only labels may change. */
export function blobChanged(kind: 'secret' | 'config', next: Blob, old: Blob): string | undefined {
  if (next.spec.name !== old.spec.name) return `a ${kind}'s name cannot change (it is ${old.spec.name})`;
  if (next.spec.data !== old.spec.data) return `${kind} ${old.spec.name}'s data cannot change; create a ${kind} with a new name instead`;
  const t = (b: Blob) => ('templating' in b.spec ? b.spec.templating?.name : undefined);
  if (t(next) !== t(old)) return `config ${old.spec.name}'s template driver cannot change`;
  return undefined;
}

/** Why the secret or config cannot be deleted: the services that still use it. */
export function blobInUse(kind: 'secret' | 'config', blob: Blob, services: Iterable<DeepReadonly<Service>>): string | undefined {
  const users: string[] = [];
  for (const s of services) {
    const c = s.spec.task.container;
    const uses = kind === 'secret' ? c.secrets?.some((r) => r.secretId === blob.id) : c.configs?.some((r) => r.configId === blob.id);
    if (uses) users.push(s.spec.name);
  }
  if (users.length === 0) return undefined;
  users.sort();
  return `${kind} ${blob.spec.name} is in use by the following service${users.length > 1 ? 's' : ''}: ${users.join(', ')}`;
}
