import type { FileContext } from './context';
import { dict } from './values';

// Service keys `docker stack deploy` does not deploy, with docker's own
// lists and words (cli/compose/types: UnsupportedProperties,
// DeprecatedProperties, ForbiddenProperties):
//   - unsupported ones are skipped, with one warning for all files:
//     "Ignoring unsupported options: build, links";
//   - deprecated ones likewise, with their reason;
//   - forbidden ones fail the load.

export const UNSUPPORTED_PROPERTIES = [
  'build',
  'cgroupns_mode',
  'cgroup_parent',
  'devices',
  'domainname',
  'external_links',
  'ipc',
  'links',
  'mac_address',
  'network_mode',
  'pid',
  'privileged',
  'restart',
  'security_opt',
  'shm_size',
  'userns_mode',
];

export const DEPRECATED_PROPERTIES: Record<string, string> = {
  container_name: 'Setting the container name is not supported.',
  expose: 'Exposing ports is unnecessary - services on the same network can access each other\'s containers on any port.',
};

export const FORBIDDEN_PROPERTIES: Record<string, string> = {
  extends: 'Support for `extends` is not implemented yet.',
  volume_driver:
    'Instead of setting the volume driver on the service, define a volume using the top-level `volumes` option and specify the driver there.',
  volumes_from:
    'To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.',
  cpu_quota: 'Set resource limits using deploy.resources',
  cpu_shares: 'Set resource limits using deploy.resources',
  cpuset: 'Set resource limits using deploy.resources',
  mem_limit: 'Set resource limits using deploy.resources',
  memswap_limit: 'Set resource limits using deploy.resources',
};

function servicesOf(doc: unknown): [string, Record<string, unknown>][] {
  return Object.entries(dict(dict(doc).services)).map(([name, s]) => [name, dict(s)]);
}

/** Reports each forbidden key of each service; true when there was one. */
export function checkForbidden(ctx: FileContext, doc: unknown): boolean {
  let found = false;
  for (const [name, s] of servicesOf(doc)) {
    for (const key of Object.keys(s)) {
      if (!Object.prototype.hasOwnProperty.call(FORBIDDEN_PROPERTIES, key)) continue;
      ctx.issue(['services', name, key], `unsupported option ${key}: ${FORBIDDEN_PROPERTIES[key]}`, { atKey: true });
      found = true;
    }
  }
  return found;
}

/** docker's two warnings over all files, in its words; none when nothing applies. */
export function ignoredOptionWarnings(docs: readonly unknown[]): string[] {
  const unsupported = new Set<string>();
  const deprecated = new Set<string>();
  for (const doc of docs) {
    for (const [, s] of servicesOf(doc)) {
      for (const key of Object.keys(s)) {
        if (UNSUPPORTED_PROPERTIES.includes(key)) unsupported.add(key);
        if (Object.prototype.hasOwnProperty.call(DEPRECATED_PROPERTIES, key)) deprecated.add(key);
      }
    }
  }
  const out: string[] = [];
  if (unsupported.size > 0) out.push(`Ignoring unsupported options: ${[...unsupported].sort().join(', ')}`);
  if (deprecated.size > 0) {
    const lines = [...deprecated].map((k) => `${k}: ${DEPRECATED_PROPERTIES[k]}`).sort();
    out.push(`Ignoring deprecated options:\n\n${lines.join('\n\n')}`);
  }
  return out;
}
