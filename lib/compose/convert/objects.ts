import type { FileObjectConfig, LoadedStack } from '../types';
import { LABEL_NAMESPACE } from './labels';
import type { StackFileObject, StackVolume } from './types';

// The stack's volumes, secrets and configs as the user declared them, named
// as docker names them, with the services that use each. A node's engine
// creates a named volume, with its labels, when a task mounts it; the CLI
// reads each secret's and config's file and the manager creates them
// (lib/manager/stack-blobs.ts). Networks: networks.ts.

const scoped = (namespace: string, key: string, name: string) => (name !== '' ? name : `${namespace}_${key}`);
const withStackLabel = (labels: Record<string, string>, namespace: string, external: boolean) =>
  external ? { ...labels } : { ...labels, [LABEL_NAMESPACE]: namespace };

export function stackVolumes(stack: LoadedStack, namespace: string): { volumes: StackVolume[]; notices: string[] } {
  const volumes: StackVolume[] = [];
  const notices: string[] = [];
  for (const [key, v] of Object.entries(stack.volumes)) {
    const services = stack.services.filter((s) => s.volumes.some((m) => m.type === 'volume' && m.source === key)).map((s) => s.name);
    const name = scoped(namespace, key, v.name);
    volumes.push({
      key,
      name,
      external: v.external.external,
      driver: v.driver,
      driverOpts: { ...v.driver_opts },
      labels: withStackLabel(v.labels, namespace, v.external.external),
      services,
    });
    if (services.length === 0) continue;
    if (v.driver !== '' && v.driver !== 'local') {
      notices.push(`volume ${key} uses driver ${v.driver}: volume drivers are not supported yet; each node's engine creates a local volume ${name}`);
    } else if (Object.keys(v.driver_opts).length > 0) {
      notices.push(`volume ${key} sets driver_opts: they are not supported yet; each node's engine creates a plain local volume ${name}`);
    }
    if (v.clusterSpec !== undefined) notices.push(`volume ${key} is a cluster (CSI) volume: cluster volumes are not supported yet`);
  }
  return { volumes, notices };
}

/**
 * The stack's secrets or configs, every one declared (docker creates them all,
 * used or not). Secret and config drivers (plugins) cannot be used here: an
 * error at the key. A config's template is checked by the manager, which
 * has its content.
 */
export function stackFileObjects(
  stack: LoadedStack,
  namespace: string,
  kind: 'secret' | 'config',
): { objects: StackFileObject[]; issues: { path: (string | number)[]; message: string }[] } {
  const declared: Record<string, FileObjectConfig> = kind === 'secret' ? stack.secrets : stack.configs;
  const objects: StackFileObject[] = [];
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const [key, o] of Object.entries(declared)) {
    const references = stack.services.flatMap((s) =>
      (kind === 'secret' ? s.secrets : s.configs)
        .filter((r) => r.source === key)
        .map((r) => ({
          service: s.name,
          target: r.target !== '' ? r.target : r.source,
          uid: r.uid || '0',
          gid: r.gid || '0',
          mode: r.mode ?? 0o444,
        })),
    );
    const external = o.external.external;
    if (!external && o.driver !== '') {
      issues.push({ path: [`${kind}s`, key, 'driver'], message: `${kind} drivers are not supported (${o.driver}); give the content with file:, or create it first and declare it external: true` });
    }
    objects.push({
      key,
      name: scoped(namespace, key, o.name),
      external,
      file: !external && o.driver === '' ? o.file : undefined,
      driver: o.driver,
      templateDriver: o.template_driver,
      labels: withStackLabel(o.labels, namespace, external),
      references,
    });
  }
  return { objects, issues };
}
