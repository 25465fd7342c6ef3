import { parseNanoCpus } from '../../util/units';
import { parseConstraint, parseSpread } from '../../scheduler';
import type { PathSegment } from '../errors';
import { type Dict, isDict } from '../plain';
import type { ServiceConfig, ServicePortConfig, ServiceVolumeConfig, UpdateConfig } from '../types';
import type { FileContext } from './context';
import { dict, field } from './values';

// Checks beyond the schema, made while loading so that every mistake in a
// file is reported at once, with its place, before anything is deployed.
// Docker makes most of these only when converting or leaves them to the
// daemon (whose message then names no line); the wording follows docker's
// where it has one. Constraints and preferences are parsed by the
// scheduler's own parsers, so what loads is what the scheduler accepts.

const MODES = ['', 'replicated', 'global', 'replicated-job', 'global-job'];
const VOLUME_TYPES = ['volume', 'bind', 'tmpfs', 'npipe', 'cluster', 'image'];
const VOLUME_OPTIONS = ['bind', 'volume', 'tmpfs', 'image', 'cluster'] as const;
// Which option block each mount type may carry (docker's convert/volume.go).
const ALLOWED_OPTIONS: Record<string, readonly string[]> = {
  volume: ['volume'],
  bind: ['bind'],
  tmpfs: ['tmpfs'],
  npipe: ['bind'],
  cluster: [],
  image: ['image'],
};

export function checkLongPort(ctx: FileContext, p: ServicePortConfig, path: PathSegment[]): void {
  if (p.target < 1 || p.target > 65535) ctx.issue([...path, 'target'], `target port ${p.target} is out of range: use 1 to 65535`);
  if (p.published < 0 || p.published > 65535) ctx.issue([...path, 'published'], `published port ${p.published} is out of range: use 0 to 65535`);
  if (!['', 'host', 'ingress'].includes(p.mode)) ctx.issue([...path, 'mode'], `invalid publish mode "${p.mode}": use host or ingress`);
  if (!['', 'tcp', 'udp', 'sctp'].includes(p.protocol)) ctx.issue([...path, 'protocol'], `invalid protocol "${p.protocol}": use tcp or udp`);
}

/** docker's per-type mount checks; false when the mount is unusable. */
export function checkVolume(ctx: FileContext, v: ServiceVolumeConfig, path: PathSegment[]): boolean {
  if (!VOLUME_TYPES.includes(v.type)) {
    ctx.issue([...path, 'type'], `volume type must be volume, bind, tmpfs, npipe, cluster or image, not "${v.type}"`);
    return false;
  }
  let ok = true;
  for (const option of VOLUME_OPTIONS) {
    if (v[option] !== undefined && !ALLOWED_OPTIONS[v.type].includes(option)) {
      ctx.issue([...path, option], `${option} options are incompatible with type ${v.type}`);
      ok = false;
    }
  }
  if (v.target === '') {
    ctx.issue(path, 'invalid mount config: a target is required');
    ok = false;
  }
  if (v.type === 'tmpfs' && v.source !== '') {
    ctx.issue([...path, 'source'], 'invalid tmpfs source, source must be empty');
    ok = false;
  }
  if (['image', 'cluster', 'npipe'].includes(v.type) && v.source === '') {
    ctx.issue(path, `invalid ${v.type} source, source cannot be empty`);
    ok = false;
  }
  return ok;
}

// rollback_config takes the same failure actions: docker passes "rollback"
// there too (files such as promstack's use it) and swarmkit accepts it.
function checkUpdateConfig(ctx: FileContext, u: UpdateConfig | undefined, path: PathSegment[]): void {
  if (!u) return;
  const actions = ['', 'pause', 'continue', 'rollback'];
  if (!actions.includes(u.failure_action)) {
    ctx.issue([...path, 'failure_action'], `invalid failure action "${u.failure_action}": use ${actions.slice(1).join(', ')}`);
  }
  if (u.parallelism !== undefined && u.parallelism < 0) ctx.issue([...path, 'parallelism'], 'must not be negative');
  if (u.max_failure_ratio < 0 || u.max_failure_ratio > 1) ctx.issue([...path, 'max_failure_ratio'], 'must be a number from 0 to 1');
}

function checkCpus(ctx: FileContext, cpus: string, path: PathSegment[]): void {
  if (cpus === '') return;
  try {
    parseNanoCpus(cpus);
  } catch {
    ctx.issue(path, `invalid cpus "${cpus}": use a number of CPUs such as 0.5 or 2`);
  }
}

/** docker's opts.ParseRestartPolicy and the policies a service can use. */
export function checkRestart(ctx: FileContext, restart: string, path: PathSegment[]): void {
  if (restart === '') return;
  const [name, count, ...more] = restart.split(':');
  if (more.length > 0 || (count !== undefined && name === '')) {
    ctx.issue(path, 'invalid restart policy format: no policy provided before colon');
    return;
  }
  if (count !== undefined && !/^-?[0-9]+$/.test(count)) {
    ctx.issue(path, 'invalid restart policy format: maximum retry count must be an integer');
    return;
  }
  if (count !== undefined && Number(count) < 0) {
    ctx.issue(path, 'invalid restart policy: maximum retry count cannot be negative');
    return;
  }
  if (!['no', 'always', 'on-failure', 'unless-stopped'].includes(name)) {
    ctx.issue(path, `invalid restart policy: unknown policy '${name}' (must be one of 'no', 'always', 'on-failure', or 'unless-stopped')`);
  }
}

/** The checks of one service of one file, and the objects it refers to. */
export function checkService(ctx: FileContext, s: ServiceConfig, raw: unknown): void {
  const base: PathSegment[] = ['services', s.name];
  const deployPath = [...base, 'deploy'];
  const d = s.deploy;
  if (!MODES.includes(d.mode)) ctx.issue([...deployPath, 'mode'], `unknown mode: ${d.mode}`);
  if ((d.mode === 'global' || d.mode === 'global-job') && d.replicas !== undefined) {
    ctx.issue([...deployPath, 'replicas'], 'replicas can only be used with replicated or replicated-job mode');
  }
  if (d.replicas !== undefined && d.replicas < 0) ctx.issue([...deployPath, 'replicas'], 'must not be negative');
  if (!['', 'vip', 'dnsrr'].includes(d.endpoint_mode.toLowerCase())) {
    ctx.issue([...deployPath, 'endpoint_mode'], `invalid endpoint mode "${d.endpoint_mode}": use vip or dnsrr`);
  }
  const placement = [...deployPath, 'placement'];
  d.placement.constraints.forEach((c, i) => {
    try {
      parseConstraint(c);
    } catch (e) {
      ctx.issue([...placement, 'constraints', i], (e as Error).message);
    }
  });
  d.placement.preferences.forEach((p, i) => {
    if (p.spread === '') {
      ctx.issue([...placement, 'preferences', i], 'a placement preference needs spread: KEY');
      return;
    }
    try {
      parseSpread(p.spread);
    } catch (e) {
      ctx.issue([...placement, 'preferences', i, 'spread'], (e as Error).message);
    }
  });
  if (d.placement.max_replicas_per_node < 0) ctx.issue([...placement, 'max_replicas_per_node'], 'must not be negative');
  const rp = d.restart_policy;
  if (rp) {
    if (!['', 'none', 'on-failure', 'any'].includes(rp.condition)) {
      ctx.issue([...deployPath, 'restart_policy', 'condition'], `invalid restart condition "${rp.condition}": use none, on-failure or any`);
    }
    if (rp.max_attempts !== undefined && rp.max_attempts < 0) ctx.issue([...deployPath, 'restart_policy', 'max_attempts'], 'must not be negative');
  }
  checkUpdateConfig(ctx, d.update_config, [...deployPath, 'update_config']);
  checkUpdateConfig(ctx, d.rollback_config, [...deployPath, 'rollback_config']);
  const resources = [...deployPath, 'resources'];
  if (d.resources.limits) checkCpus(ctx, d.resources.limits.cpus, [...resources, 'limits', 'cpus']);
  if (d.resources.reservations) checkCpus(ctx, d.resources.reservations.cpus, [...resources, 'reservations', 'cpus']);
  checkRestart(ctx, s.restart, [...base, 'restart']);
  const h = s.healthcheck;
  if (h) {
    if (h.disable && h.test.length > 0) ctx.issue([...base, 'healthcheck'], "test and disable can't be set at the same time");
    if (h.retries !== undefined && h.retries < 0) ctx.issue([...base, 'healthcheck', 'retries'], 'must not be negative');
  }
  const cred = [s.credential_spec.config && '"Config"', s.credential_spec.file && '"File"', s.credential_spec.registry && '"Registry"'].filter(Boolean);
  if (cred.length > 1) {
    ctx.issue([...base, 'credential_spec'], `invalid credential spec: cannot specify both ${cred.slice(0, -1).join(', ')} and ${cred[cred.length - 1]}`);
  }
  recordReferences(ctx, s, dict(raw));
}

function recordReferences(ctx: FileContext, s: ServiceConfig, raw: Dict): void {
  const base: PathSegment[] = ['services', s.name];
  const nets = field(raw, 'networks');
  if (Array.isArray(nets)) nets.forEach((n, i) => ctx.reference('network', String(n), s.name, [...base, 'networks', i]));
  else if (isDict(nets)) for (const n of Object.keys(nets)) ctx.reference('network', n, s.name, [...base, 'networks', n]);
  for (const kind of ['secret', 'config'] as const) {
    const list = field(raw, `${kind}s`);
    if (!Array.isArray(list)) continue;
    list.forEach((entry, i) => {
      const source = isDict(entry) ? field(entry, 'source') : entry;
      if (typeof source === 'string') ctx.reference(kind, source, s.name, [...base, `${kind}s`, i]);
    });
  }
  const vols = field(raw, 'volumes');
  if (Array.isArray(vols) && vols.length === s.volumes.length) {
    s.volumes.forEach((v, i) => {
      const named = (v.type === 'volume' && v.source !== '') || (v.type === 'cluster' && !v.source.startsWith('group:'));
      if (named) ctx.reference('volume', v.source, s.name, [...base, 'volumes', i]);
    });
  }
}
