import type { Dict } from '../plain';
import type { External, FileObjectConfig, NetworkConfig, VolumeConfig } from '../types';
import type { FileContext } from './context';
import { absPath, bool, dict, extrasOf, field, str, stringMap } from './values';

// Top-level networks, volumes, secrets and configs, as docker's
// LoadNetworks, LoadVolumes, LoadSecrets and LoadConfigObjs: an external
// object is named after its key unless `name` says otherwise (the old
// `external: {name: …}` form moves into `name`, with docker's deprecation
// warning), a file-based secret or config gets an absolute path.

function versionAtLeast(version: string, min: string): boolean {
  const [a1, a2] = version.split('.').map(Number);
  const [b1, b2] = min.split('.').map(Number);
  return a1 > b1 || (a1 === b1 && (a2 || 0) >= b2);
}

function external(v: unknown): External {
  if (typeof v === 'boolean') return { external: v, name: '' };
  if (v !== null && typeof v === 'object') return { external: true, name: str(field(dict(v), 'name')) };
  return { external: false, name: '' };
}

/** Moves `external.name` into `name`; reports the conflict docker refuses. */
function resolveExternalName(
  ctx: FileContext,
  kind: 'network' | 'volume' | 'secret' | 'config',
  key: string,
  obj: { name: string; external: External },
  deprecatedFrom: string,
): void {
  if (!obj.external.external) return;
  if (obj.external.name !== '') {
    if (obj.name !== '') {
      ctx.issue([`${kind}s`, key, 'external'], `${kind} ${key}: ${kind}.external.name and ${kind}.name conflict; only use ${kind}.name`);
      return;
    }
    if (versionAtLeast(ctx.version, deprecatedFrom)) {
      ctx.warnings.push(`${kind} ${key}: ${kind}.external.name is deprecated in favor of ${kind}.name`);
    }
    obj.name = obj.external.name;
    obj.external = { external: true, name: '' };
  } else if (obj.name === '') {
    obj.name = key;
  }
}

export function normalizeNetworks(ctx: FileContext, raw: unknown): Record<string, NetworkConfig> {
  const out: Record<string, NetworkConfig> = {};
  for (const [key, v] of Object.entries(dict(raw))) {
    const d: Dict = dict(v);
    const ipam = dict(field(d, 'ipam'));
    const config = field(ipam, 'config');
    const n: NetworkConfig = {
      name: str(field(d, 'name')),
      driver: str(field(d, 'driver')),
      driver_opts: stringMap(field(d, 'driver_opts')),
      ipam: {
        driver: str(field(ipam, 'driver')),
        config: (Array.isArray(config) ? config : []).map((c) => ({ subnet: str(field(dict(c), 'subnet')) })),
      },
      external: external(field(d, 'external')),
      internal: bool(field(d, 'internal')),
      attachable: bool(field(d, 'attachable')),
      labels: stringMap(field(d, 'labels')),
      extras: {},
    };
    resolveExternalName(ctx, 'network', key, n, '3.5');
    // docker keeps the x-* keys of external networks only.
    if (n.external.external) n.extras = extrasOf(d);
    out[key] = n;
  }
  return out;
}

export function normalizeVolumes(ctx: FileContext, raw: unknown): Record<string, VolumeConfig> {
  const out: Record<string, VolumeConfig> = {};
  for (const [key, v] of Object.entries(dict(raw))) {
    const d: Dict = dict(v);
    const vol: VolumeConfig = {
      name: str(field(d, 'name')),
      driver: str(field(d, 'driver')),
      driver_opts: stringMap(field(d, 'driver_opts')),
      external: external(field(d, 'external')),
      labels: stringMap(field(d, 'labels')),
      extras: {},
      clusterSpec: field(d, 'x-cluster-spec'),
    };
    if (vol.external.external) {
      const conflict = vol.driver !== '' ? 'driver' : Object.keys(vol.driver_opts).length > 0 ? 'driver_opts' : Object.keys(vol.labels).length > 0 ? 'labels' : '';
      if (conflict !== '') {
        ctx.issue(['volumes', key, conflict], `conflicting parameters "external" and "${conflict}" specified for volume "${key}"`);
      } else {
        resolveExternalName(ctx, 'volume', key, vol, '3.4');
        const extras = extrasOf(d);
        delete extras['x-cluster-spec'];
        vol.extras = extras;
      }
    }
    out[key] = vol;
  }
  return out;
}

export function normalizeFileObjects(ctx: FileContext, kind: 'secret' | 'config', raw: unknown): Record<string, FileObjectConfig> {
  const out: Record<string, FileObjectConfig> = {};
  for (const [key, v] of Object.entries(dict(raw))) {
    const d: Dict = dict(v);
    const obj: FileObjectConfig = {
      name: str(field(d, 'name')),
      file: str(field(d, 'file')),
      external: external(field(d, 'external')),
      labels: stringMap(field(d, 'labels')),
      extras: extrasOf(d),
      driver: str(field(d, 'driver')),
      driver_opts: stringMap(field(d, 'driver_opts')),
      template_driver: str(field(d, 'template_driver')),
    };
    if (obj.external.external) {
      resolveExternalName(ctx, kind, key, obj, '3.5');
    } else if (obj.driver !== '') {
      if (obj.file !== '') {
        ctx.issue([`${kind}s`, key, 'driver'], `${kind} ${key}: ${kind}.driver and ${kind}.file conflict; only use ${kind}.driver`);
      }
    } else {
      obj.file = absPath(ctx.workingDir, obj.file);
    }
    out[key] = obj;
  }
  return out;
}
