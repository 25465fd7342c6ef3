import { formatGoDuration } from './load/durations';
import { isDict } from './plain';
import type {
  DeployConfig,
  External,
  FileObjectConfig,
  FileReference,
  HealthCheckConfig,
  LoadedStack,
  NetworkConfig,
  ServiceConfig,
  ServiceVolumeConfig,
  UpdateConfig,
  VolumeConfig,
} from './types';
import { Y, type YNode, emitYaml } from './yaml/go-yaml';

// renderStackConfig: the merged, interpolated, normalized stack as YAML, as
// `docker stack config` prints it. Keys come in the order of docker's Go
// structs (cli/compose/types), maps sorted; Go's `omitempty` is followed
// (empty strings, zero numbers, false, empty lists and maps are left out;
// values docker keeps as pointers, such as `replicas: 0` or a `0s` delay,
// are printed when given). Durations print as Go prints them ("1m30s"),
// memory as a quoted byte count, file modes in decimal (0555 is 365), paths
// absolute. Top-level and service `x-*` keys are printed back, as docker
// does, although nothing else uses them.

type Entry = [string, YNode];

/** Collects struct fields, skipping what `omitempty` would skip. */
class Fields {
  readonly entries: Entry[] = [];

  str(key: string, v: string | undefined): this {
    if (v !== undefined && v !== '') this.entries.push([key, Y.str(v)]);
    return this;
  }

  /** A plain number field: omitted when 0. */
  int(key: string, v: number | undefined): this {
    if (v !== undefined && v !== 0) this.entries.push([key, Y.int(v)]);
    return this;
  }

  /** A pointer to a number: printed whenever given. */
  intPtr(key: string, v: number | undefined): this {
    if (v !== undefined) this.entries.push([key, Y.int(v)]);
    return this;
  }

  bool(key: string, v: boolean): this {
    if (v) this.entries.push([key, Y.bool(true)]);
    return this;
  }

  boolPtr(key: string, v: boolean | undefined): this {
    if (v !== undefined) this.entries.push([key, Y.bool(v)]);
    return this;
  }

  duration(key: string, ms: number | undefined): this {
    if (ms !== undefined && ms !== 0) this.entries.push([key, Y.str(formatGoDuration(ms))]);
    return this;
  }

  durationPtr(key: string, ms: number | undefined): this {
    if (ms !== undefined) this.entries.push([key, Y.str(formatGoDuration(ms))]);
    return this;
  }

  bytes(key: string, n: number): this {
    if (n !== 0) this.entries.push([key, Y.str(String(n))]);
    return this;
  }

  list(key: string, v: string[] | undefined): this {
    if (v && v.length > 0) this.entries.push([key, Y.seq(v.map(Y.str))]);
    return this;
  }

  strMap(key: string, v: Record<string, string> | undefined): this {
    if (v && Object.keys(v).length > 0) this.entries.push([key, Y.map(Object.entries(v).map(([k, s]) => [k, Y.str(s)]))]);
    return this;
  }

  /** A struct field with omitempty: left out when every field of it was. */
  struct(key: string, f: Fields | undefined): this {
    if (f && f.entries.length > 0) this.entries.push([key, Y.struct(f.entries)]);
    return this;
  }

  /** A pointer to a struct: printed when present, `{}` if empty. */
  ptr(key: string, f: Fields | undefined): this {
    if (f) this.entries.push([key, Y.struct(f.entries)]);
    return this;
  }

  node(key: string, n: YNode | undefined): this {
    if (n) this.entries.push([key, n]);
    return this;
  }

  /** Inline `x-*` keys, sorted as Go sorts map keys, after the struct's own fields. */
  extras(v: Record<string, unknown>): this {
    const inline = Y.map(Object.entries(v).map(([k, val]) => [k, raw(val)]));
    if (inline.kind === 'map') this.entries.push(...inline.entries);
    return this;
  }

  done(): YNode {
    return Y.struct(this.entries);
  }
}

/** A value kept as written (x-* keys): maps sorted as Go sorts them. */
function raw(v: unknown): YNode {
  if (v === null || v === undefined) return Y.null();
  if (typeof v === 'string') return Y.str(v);
  if (typeof v === 'boolean') return Y.bool(v);
  if (typeof v === 'number') return Number.isInteger(v) ? Y.int(v) : Y.float(v);
  if (Array.isArray(v)) return Y.seq(v.map(raw));
  if (isDict(v)) return Y.map(Object.entries(v).map(([k, c]) => [k, raw(c)]));
  return Y.str(String(v));
}

function updateConfig(u: UpdateConfig | undefined): Fields | undefined {
  if (!u) return undefined;
  const f = new Fields().intPtr('parallelism', u.parallelism).duration('delay', u.delayMs).str('failure_action', u.failure_action).duration('monitor', u.monitorMs);
  if (u.max_failure_ratio !== 0) f.node('max_failure_ratio', Y.float(u.max_failure_ratio, 32));
  return f.str('order', u.order);
}

function deploy(d: DeployConfig): Fields {
  const r = d.resources;
  const limits = r.limits && new Fields().str('cpus', r.limits.cpus).bytes('memory', r.limits.memoryBytes).int('pids', r.limits.pids);
  const reservations =
    r.reservations &&
    new Fields()
      .str('cpus', r.reservations.cpus)
      .bytes('memory', r.reservations.memoryBytes)
      .node(
        'generic_resources',
        r.reservations.generic_resources.length === 0
          ? undefined
          : Y.seq(
              r.reservations.generic_resources.map((g) =>
                new Fields()
                  .struct(
                    'discrete_resource_spec',
                    g.discrete_resource_spec &&
                      new Fields().node('kind', Y.str(g.discrete_resource_spec.kind)).node('value', Y.int(g.discrete_resource_spec.value)),
                  )
                  .done(),
              ),
            ),
      );
  const rp = d.restart_policy;
  return new Fields()
    .str('mode', d.mode)
    .intPtr('replicas', d.replicas)
    .strMap('labels', d.labels)
    .ptr('update_config', updateConfig(d.update_config))
    .ptr('rollback_config', updateConfig(d.rollback_config))
    .struct('resources', new Fields().ptr('limits', limits).ptr('reservations', reservations))
    .ptr(
      'restart_policy',
      rp && new Fields().str('condition', rp.condition).durationPtr('delay', rp.delayMs).intPtr('max_attempts', rp.max_attempts).durationPtr('window', rp.windowMs),
    )
    .struct(
      'placement',
      new Fields()
        .list('constraints', d.placement.constraints)
        .node('preferences', d.placement.preferences.length === 0 ? undefined : Y.seq(d.placement.preferences.map((p) => new Fields().str('spread', p.spread).done())))
        .int('max_replicas_per_node', d.placement.max_replicas_per_node),
    )
    .str('endpoint_mode', d.endpoint_mode);
}

function healthcheck(h: HealthCheckConfig | undefined): Fields | undefined {
  if (!h) return undefined;
  return new Fields()
    .list('test', h.test)
    .durationPtr('timeout', h.timeoutMs)
    .durationPtr('interval', h.intervalMs)
    .intPtr('retries', h.retries)
    .durationPtr('start_period', h.startPeriodMs)
    .durationPtr('start_interval', h.startIntervalMs)
    .bool('disable', h.disable);
}

function fileReferences(refs: FileReference[]): YNode | undefined {
  if (refs.length === 0) return undefined;
  return Y.seq(refs.map((r) => new Fields().str('source', r.source).str('target', r.target).str('uid', r.uid).str('gid', r.gid).intPtr('mode', r.mode).done()));
}

function volume(v: ServiceVolumeConfig): YNode {
  return new Fields()
    .str('type', v.type)
    .str('source', v.source)
    .str('target', v.target)
    .bool('read_only', v.read_only)
    .str('consistency', v.consistency)
    .ptr('bind', v.bind && new Fields().str('propagation', v.bind.propagation))
    .ptr('volume', v.volume && new Fields().bool('nocopy', v.volume.nocopy).str('subpath', v.volume.subpath))
    .ptr('image', v.image && new Fields().str('subpath', v.image.subpath))
    .ptr('tmpfs', v.tmpfs && new Fields().int('size', v.tmpfs.size))
    .ptr('cluster', v.cluster && new Fields())
    .done();
}

function service(s: ServiceConfig): YNode {
  const env = Object.entries(s.environment);
  const nets = Object.entries(s.networks);
  const ulimits = Object.entries(s.ulimits);
  const b = s.build;
  const build =
    b &&
    new Fields()
      .str('context', b.context)
      .str('dockerfile', b.dockerfile)
      .node('args', b.args && Object.keys(b.args).length > 0 ? Y.map(Object.entries(b.args).map(([k, v]) => [k, v === null ? Y.null() : Y.str(v)])) : undefined)
      .strMap('labels', b.labels)
      .list('cache_from', b.cache_from)
      .list('extra_hosts', b.extra_hosts)
      .str('network', b.network)
      .str('target', b.target);
  return new Fields()
    .struct('build', build)
    .list('cap_add', s.cap_add)
    .list('cap_drop', s.cap_drop)
    .str('cgroupns_mode', s.cgroupns_mode)
    .str('cgroup_parent', s.cgroup_parent)
    .list('command', s.command)
    .node('configs', fileReferences(s.configs))
    .str('container_name', s.container_name)
    .struct('credential_spec', new Fields().str('config', s.credential_spec.config).str('file', s.credential_spec.file).str('registry', s.credential_spec.registry))
    .list('depends_on', s.depends_on)
    .struct('deploy', deploy(s.deploy))
    .list('devices', s.devices)
    .list('dns', s.dns)
    .list('dns_search', s.dns_search)
    .str('domainname', s.domainname)
    .list('entrypoint', s.entrypoint)
    .node('environment', env.length === 0 ? undefined : Y.map(env.map(([k, v]) => [k, v === null ? Y.null() : Y.str(v)])))
    .list('env_file', s.env_file)
    .list('expose', s.expose)
    .list('external_links', s.external_links)
    .list('extra_hosts', s.extra_hosts)
    .str('hostname', s.hostname)
    .ptr('healthcheck', healthcheck(s.healthcheck))
    .str('image', s.image)
    .boolPtr('init', s.init)
    .str('ipc', s.ipc)
    .str('isolation', s.isolation)
    .strMap('labels', s.labels)
    .list('links', s.links)
    .ptr('logging', s.logging && new Fields().str('driver', s.logging.driver).strMap('options', s.logging.options))
    .str('mac_address', s.mac_address)
    .str('network_mode', s.network_mode)
    .node(
      'networks',
      nets.length === 0
        ? undefined
        : Y.map(
            nets.map(([k, n]) => [
              k,
              n === null
                ? Y.null()
                : new Fields().list('aliases', n.aliases).strMap('driver_opts', n.driver_opts).str('ipv4_address', n.ipv4_address).str('ipv6_address', n.ipv6_address).done(),
            ]),
          ),
    )
    .str('pid', s.pid)
    .node(
      'ports',
      s.ports.length === 0 ? undefined : Y.seq(s.ports.map((p) => new Fields().str('mode', p.mode).int('target', p.target).int('published', p.published).str('protocol', p.protocol).done())),
    )
    .bool('privileged', s.privileged)
    .bool('read_only', s.read_only)
    .str('restart', s.restart)
    .node('secrets', fileReferences(s.secrets))
    .list('security_opt', s.security_opt)
    .str('shm_size', s.shm_size)
    .bool('stdin_open', s.stdin_open)
    .durationPtr('stop_grace_period', s.stopGracePeriodMs)
    .str('stop_signal', s.stop_signal)
    .strMap('sysctls', s.sysctls)
    .list('tmpfs', s.tmpfs)
    .bool('tty', s.tty)
    .node(
      'ulimits',
      ulimits.length === 0
        ? undefined
        : Y.map(ulimits.map(([k, u]) => [k, u.single !== 0 ? Y.int(u.single) : new Fields().int('soft', u.soft).int('hard', u.hard).done()])),
    )
    .str('user', s.user)
    .int('oomscoreadj', s.oom_score_adj)
    .str('userns_mode', s.userns_mode)
    .node('volumes', s.volumes.length === 0 ? undefined : Y.seq(s.volumes.map(volume)))
    .str('working_dir', s.working_dir)
    .extras(s.extras)
    .done();
}

function external(f: Fields, e: External): Fields {
  if (!e.external && e.name === '') return f;
  return f.node('external', e.name === '' ? Y.bool(e.external) : Y.struct([['name', Y.str(e.name)]]));
}

function network(n: NetworkConfig): YNode {
  const f = new Fields()
    .str('name', n.name)
    .str('driver', n.driver)
    .strMap('driver_opts', n.driver_opts)
    .struct(
      'ipam',
      new Fields().str('driver', n.ipam.driver).node('config', n.ipam.config.length === 0 ? undefined : Y.seq(n.ipam.config.map((c) => new Fields().str('subnet', c.subnet).done()))),
    );
  return external(f, n.external).bool('internal', n.internal).bool('attachable', n.attachable).strMap('labels', n.labels).extras(n.extras).done();
}

function volumeConfig(v: VolumeConfig): YNode {
  const f = external(new Fields().str('name', v.name).str('driver', v.driver).strMap('driver_opts', v.driver_opts), v.external).strMap('labels', v.labels);
  f.node('x-cluster-spec', v.clusterSpec === undefined || v.clusterSpec === null ? undefined : raw(v.clusterSpec));
  return f.extras(v.extras).done();
}

function fileObject(o: FileObjectConfig): YNode {
  const f = new Fields().str('name', o.name).str('file', o.file);
  return external(f, o.external)
    .strMap('labels', o.labels)
    .str('driver', o.driver)
    .strMap('driver_opts', o.driver_opts)
    .str('template_driver', o.template_driver)
    .extras(o.extras)
    .done();
}

function section<T>(items: Record<string, T>, render: (t: T) => YNode): YNode | undefined {
  const entries = Object.entries(items);
  return entries.length === 0 ? undefined : Y.map(entries.map(([k, v]) => [k, render(v)]));
}

export function renderStackConfig(stack: LoadedStack): string {
  const top = new Fields()
    .node('version', Y.str(stack.version))
    .node('services', Y.map(stack.services.map((s) => [s.name, service(s)])))
    .node('networks', section(stack.networks, network))
    .node('volumes', section(stack.volumes, volumeConfig))
    .node('secrets', section(stack.secrets, fileObject))
    .node('configs', section(stack.configs, fileObject))
    .extras(stack.extras);
  return emitYaml(top.done());
}
