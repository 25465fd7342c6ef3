import { splitShellWords } from '../../util/shell-words';
import { parseServiceEnvFile } from '../env-file';
import type { PathSegment } from '../errors';
import { type Dict, dictFrom, isDict } from '../plain';
import type { BuildConfig, FileReference, ServiceConfig, ServicePortConfig, ServiceVolumeConfig, UlimitsConfig } from '../types';
import type { FileContext } from './context';
import { durationAt, normalizeDeploy, normalizeHealthcheck } from './normalize-deploy';
import { parseShortPort } from './port-spec';
import {
  absPath,
  bool,
  dict,
  extrasOf,
  field,
  hostsList,
  mappingOrList,
  num,
  optBool,
  str,
  stringList,
  stringMap,
  stringOrNumberList,
} from './values';
import { emptyVolume, parseVolumeSpec } from './volume-spec';
import { checkLongPort, checkVolume } from './checks';

// One service of one file, from the validated dict to the typed model, as
// docker's LoadService: environment resolved (env_file entries first, then
// `environment`, then names without a value looked up in the environment),
// bind mount sources made absolute against the working directory, ports and
// volumes in long form.

function command(ctx: FileContext, v: unknown, path: PathSegment[]): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(str);
  try {
    return splitShellWords(str(v));
  } catch (e) {
    ctx.issue(path, `cannot split into words: ${(e as Error).message}`);
    return undefined;
  }
}

function ports(ctx: FileContext, v: unknown, path: PathSegment[]): ServicePortConfig[] {
  const out: ServicePortConfig[] = [];
  if (!Array.isArray(v)) return out;
  v.forEach((entry, i) => {
    if (isDict(entry)) {
      const port: ServicePortConfig = {
        mode: str(field(entry, 'mode')),
        target: num(field(entry, 'target')),
        published: num(field(entry, 'published')),
        protocol: str(field(entry, 'protocol')),
      };
      checkLongPort(ctx, port, [...path, i]);
      out.push(port);
      return;
    }
    const parsed = parseShortPort(str(entry));
    if (typeof parsed === 'string') {
      ctx.issue([...path, i], parsed);
      return;
    }
    for (const p of parsed) {
      out.push({ mode: 'ingress', target: p.target, published: p.published, protocol: p.protocol, hostIp: p.hostIp || undefined });
    }
  });
  return out;
}

function fileReferences(v: unknown): FileReference[] {
  if (!Array.isArray(v)) return [];
  return v.map((entry) => {
    if (!isDict(entry)) return { source: str(entry), target: '', uid: '', gid: '' };
    const mode = field(entry, 'mode');
    return {
      source: str(field(entry, 'source')),
      target: str(field(entry, 'target')),
      uid: str(field(entry, 'uid')),
      gid: str(field(entry, 'gid')),
      mode: typeof mode === 'number' ? mode : undefined,
    };
  });
}

function volumes(ctx: FileContext, v: unknown, path: PathSegment[]): ServiceVolumeConfig[] {
  const out: ServiceVolumeConfig[] = [];
  if (!Array.isArray(v)) return out;
  v.forEach((entry, i) => {
    let vol: ServiceVolumeConfig;
    if (isDict(entry)) {
      vol = emptyVolume();
      vol.type = str(field(entry, 'type'));
      vol.source = str(field(entry, 'source'));
      vol.target = str(field(entry, 'target'));
      vol.read_only = bool(field(entry, 'read_only'));
      vol.consistency = str(field(entry, 'consistency'));
      const bind = field(entry, 'bind');
      if (isDict(bind)) vol.bind = { propagation: str(field(bind, 'propagation')) };
      const volume = field(entry, 'volume');
      if (isDict(volume)) vol.volume = { nocopy: bool(field(volume, 'nocopy')), subpath: str(field(volume, 'subpath')) };
      const image = field(entry, 'image');
      if (isDict(image)) vol.image = { subpath: str(field(image, 'subpath')) };
      const tmpfs = field(entry, 'tmpfs');
      if (isDict(tmpfs)) vol.tmpfs = { size: num(field(tmpfs, 'size')) };
      if (isDict(field(entry, 'cluster'))) vol.cluster = {};
    } else {
      const parsed = parseVolumeSpec(str(entry));
      if (typeof parsed === 'string') {
        ctx.issue([...path, i], parsed);
        return;
      }
      vol = parsed;
    }
    if (!checkVolume(ctx, vol, [...path, i])) return;
    if (vol.type === 'bind') {
      if (vol.source === '') {
        ctx.issue([...path, i], 'invalid mount config for type "bind": field Source must not be empty');
        return;
      }
      let source = vol.source;
      if (source.startsWith('~')) {
        const home = ctx.lookup('HOME');
        if (home !== undefined) source = source.replace('~', home);
      }
      vol.source = absPath(ctx.workingDir, source);
    }
    out.push(vol);
  });
  return out;
}

function networks(v: unknown): ServiceConfig['networks'] {
  const out: ServiceConfig['networks'] = {};
  if (Array.isArray(v)) {
    for (const name of v) out[str(name)] = null;
  } else if (isDict(v)) {
    for (const [name, cfg] of Object.entries(v)) {
      if (cfg === null || cfg === undefined) {
        out[name] = null;
        continue;
      }
      const c = dict(cfg);
      out[name] = {
        aliases: stringList(field(c, 'aliases')),
        driver_opts: stringMap(field(c, 'driver_opts')),
        ipv4_address: str(field(c, 'ipv4_address')),
        ipv6_address: str(field(c, 'ipv6_address')),
      };
    }
  }
  return dictFrom(Object.entries(out)) as ServiceConfig['networks'];
}

function ulimits(v: unknown): Record<string, UlimitsConfig> {
  const out: Record<string, UlimitsConfig> = {};
  for (const [name, u] of Object.entries(dict(v))) {
    out[name] = typeof u === 'number' ? { single: u, soft: 0, hard: 0 } : { single: 0, soft: num(field(dict(u), 'soft')), hard: num(field(dict(u), 'hard')) };
  }
  return out;
}

/**
 * docker's resolveEnvironment: env_file entries, then `environment`; a name
 * given no value, or an empty one, takes the environment's value when it
 * has one.
 */
function environment(ctx: FileContext, d: Dict, path: PathSegment[], envFiles: string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const update = (vars: Record<string, string | null>) => {
    for (const [k, v] of Object.entries(vars)) {
      const fromEnv = v === null || v === '' ? ctx.lookup(k) : undefined;
      out[k] = fromEnv !== undefined ? fromEnv : v;
    }
  };
  envFiles.forEach((file, i) => {
    const full = absPath(ctx.workingDir, file);
    let content: string;
    try {
      if (!ctx.readEnvFile) throw new Error('no reader for env files was given');
      content = ctx.readEnvFile(full);
    } catch (e) {
      const where = typeof field(d, 'env_file') === 'string' ? [...path, 'env_file'] : [...path, 'env_file', i];
      ctx.issue(where, `cannot read env file ${full}: ${(e as Error).message}`);
      return;
    }
    const parsed = parseServiceEnvFile(full, content, ctx.lookup);
    if (!parsed.ok) {
      ctx.issues.push(parsed.issue);
      return;
    }
    update(dictFrom(parsed.entries.map((e) => [e.key, e.value ?? null] as const)) as Record<string, string | null>);
  });
  update(mappingOrList(field(d, 'environment'), '=', true));
  return dictFrom(Object.entries(out)) as Record<string, string | null>;
}

/** `build` (docker ignores it, `stack config` prints it): a context path or a mapping. */
function buildConfig(v: unknown): BuildConfig | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return { context: v };
  const b = dict(v);
  const given = (key: string) => field(b, key) !== undefined && field(b, key) !== null;
  return {
    context: given('context') ? str(field(b, 'context')) : undefined,
    dockerfile: given('dockerfile') ? str(field(b, 'dockerfile')) : undefined,
    args: given('args') ? mappingOrList(field(b, 'args'), '=', true) : undefined,
    labels: given('labels') ? stringMap(field(b, 'labels')) : undefined,
    cache_from: given('cache_from') ? stringList(field(b, 'cache_from')) : undefined,
    extra_hosts: given('extra_hosts') ? hostsList(field(b, 'extra_hosts')) : undefined,
    network: given('network') ? str(field(b, 'network')) : undefined,
    target: given('target') ? str(field(b, 'target')) : undefined,
  };
}

export function normalizeService(ctx: FileContext, name: string, raw: unknown): ServiceConfig {
  const d = dict(raw);
  const path: PathSegment[] = ['services', name];
  const at = (key: string): PathSegment[] => [...path, key];
  const envFiles = stringList(field(d, 'env_file'));
  const logging = field(d, 'logging');
  const credential = dict(field(d, 'credential_spec'));
  const grace = durationAt(ctx, d, 'stop_grace_period', path);
  const ulimitRaw = field(d, 'ulimits');
  const service: ServiceConfig = {
    name,
    build: buildConfig(field(d, 'build')),
    cap_add: stringList(field(d, 'cap_add')),
    cap_drop: stringList(field(d, 'cap_drop')),
    cgroupns_mode: str(field(d, 'cgroupns_mode')),
    cgroup_parent: str(field(d, 'cgroup_parent')),
    command: command(ctx, field(d, 'command'), at('command')),
    configs: fileReferences(field(d, 'configs')),
    container_name: str(field(d, 'container_name')),
    credential_spec: { config: str(field(credential, 'config')), file: str(field(credential, 'file')), registry: str(field(credential, 'registry')) },
    depends_on: stringList(field(d, 'depends_on')),
    deploy: normalizeDeploy(ctx, field(d, 'deploy'), at('deploy')),
    devices: stringList(field(d, 'devices')),
    dns: stringList(field(d, 'dns')),
    dns_search: stringList(field(d, 'dns_search')),
    domainname: str(field(d, 'domainname')),
    entrypoint: command(ctx, field(d, 'entrypoint'), at('entrypoint')),
    environment: environment(ctx, d, path, envFiles),
    env_file: envFiles,
    expose: stringOrNumberList(field(d, 'expose')),
    external_links: stringList(field(d, 'external_links')),
    extra_hosts: hostsList(field(d, 'extra_hosts')),
    hostname: str(field(d, 'hostname')),
    healthcheck: normalizeHealthcheck(ctx, field(d, 'healthcheck'), at('healthcheck')),
    image: str(field(d, 'image')),
    init: optBool(field(d, 'init')),
    ipc: str(field(d, 'ipc')),
    isolation: str(field(d, 'isolation')),
    labels: stringMap(field(d, 'labels')),
    links: stringList(field(d, 'links')),
    logging:
      logging === undefined || logging === null
        ? undefined
        : { driver: str(field(dict(logging), 'driver')), options: stringMap(field(dict(logging), 'options')) },
    mac_address: str(field(d, 'mac_address')),
    network_mode: str(field(d, 'network_mode')),
    networks: networks(field(d, 'networks')),
    pid: str(field(d, 'pid')),
    ports: ports(ctx, field(d, 'ports'), at('ports')),
    privileged: bool(field(d, 'privileged')),
    read_only: bool(field(d, 'read_only')),
    restart: str(field(d, 'restart')),
    secrets: fileReferences(field(d, 'secrets')),
    security_opt: stringList(field(d, 'security_opt')),
    shm_size: str(field(d, 'shm_size')),
    stdin_open: bool(field(d, 'stdin_open')),
    stopGracePeriodMs: grace,
    stop_signal: str(field(d, 'stop_signal')),
    sysctls: stringMap(field(d, 'sysctls')),
    tmpfs: stringList(field(d, 'tmpfs')),
    tty: bool(field(d, 'tty')),
    ulimits: ulimitRaw === undefined ? {} : ulimits(ulimitRaw),
    user: str(field(d, 'user')),
    oom_score_adj: num(field(d, 'oom_score_adj')),
    userns_mode: str(field(d, 'userns_mode')),
    volumes: volumes(ctx, field(d, 'volumes'), at('volumes')),
    working_dir: str(field(d, 'working_dir')),
    extras: extrasOf(d),
  };
  return service;
}
