import type { SourcePosition, PathSegment } from './errors';

// The stack model: a compose file after loading, in the shape docker's
// loader gives it (cli/compose/types), keys spelled as in the file. Lists
// and maps are normalized (environment and labels as maps, ports and
// volumes in long form, commands as word lists, durations in milliseconds,
// sizes in bytes); what was written but not given stays undefined, because
// "not given" and "given as zero" differ (`replicas: 0`, a zero restart
// delay). Everything the file asked for is here, including what the
// cluster cannot honour yet: the converter decides, and says so.

export interface ComposeInputFile {
  /** The path as given; relative paths in the file are taken from the first file's directory. */
  path: string;
  content: string;
}

export interface LoadStackInput {
  /** The compose files in `-c` order; later ones override earlier ones. */
  files: ComposeInputFile[];
  /** The environment for interpolation and for `KEY`-only environment entries. */
  env: Record<string, string | undefined>;
  /**
   * Variables from a `.env` file beside the first compose file or from
   * `--env-file`; the environment wins over it.
   */
  envFile?: ComposeInputFile;
  /** The directory relative paths are resolved against; default: the first file's directory. */
  workingDir?: string;
  /**
   * Reads a service's `env_file` (an absolute path). Called only for files a
   * service names; throws when the file cannot be read.
   */
  readEnvFile?: (path: string) => string;
}

export interface BuildConfig {
  context?: string;
  dockerfile?: string;
  args?: Record<string, string | null>;
  labels?: Record<string, string>;
  cache_from?: string[];
  extra_hosts?: string[];
  network?: string;
  target?: string;
}

export interface UpdateConfig {
  parallelism?: number;
  delayMs: number;
  failure_action: string;
  monitorMs: number;
  max_failure_ratio: number;
  order: string;
}

export interface ResourceLimit {
  cpus: string;
  memoryBytes: number;
  pids: number;
}

export interface ResourceReservation {
  cpus: string;
  memoryBytes: number;
  generic_resources: { discrete_resource_spec?: { kind: string; value: number } }[];
}

export interface RestartPolicyConfig {
  condition: string;
  delayMs?: number;
  max_attempts?: number;
  windowMs?: number;
}

export interface DeployConfig {
  mode: string;
  replicas?: number;
  labels: Record<string, string>;
  update_config?: UpdateConfig;
  rollback_config?: UpdateConfig;
  resources: { limits?: ResourceLimit; reservations?: ResourceReservation };
  restart_policy?: RestartPolicyConfig;
  placement: { constraints: string[]; preferences: { spread: string }[]; max_replicas_per_node: number };
  endpoint_mode: string;
}

export interface HealthCheckConfig {
  test: string[];
  timeoutMs?: number;
  intervalMs?: number;
  retries?: number;
  startPeriodMs?: number;
  startIntervalMs?: number;
  disable: boolean;
}

export interface ServicePortConfig {
  mode: string;
  target: number;
  published: number;
  protocol: string;
  /** From the short syntax only; docker ignores it (and says so). */
  hostIp?: string;
}

export interface ServiceVolumeConfig {
  type: string;
  source: string;
  target: string;
  read_only: boolean;
  consistency: string;
  bind?: { propagation: string };
  volume?: { nocopy: boolean; subpath: string };
  image?: { subpath: string };
  tmpfs?: { size: number };
  cluster?: Record<string, never>;
}

/** A service's reference to a secret or config. */
export interface FileReference {
  source: string;
  target: string;
  uid: string;
  gid: string;
  /** File mode (decimal here; 0444 is 292). */
  mode?: number;
}

export interface ServiceNetworkConfig {
  aliases: string[];
  driver_opts: Record<string, string>;
  ipv4_address: string;
  ipv6_address: string;
}

export interface UlimitsConfig {
  single: number;
  soft: number;
  hard: number;
}

export interface ServiceConfig {
  name: string;
  build?: BuildConfig;
  cap_add: string[];
  cap_drop: string[];
  cgroupns_mode: string;
  cgroup_parent: string;
  command?: string[];
  configs: FileReference[];
  container_name: string;
  credential_spec: { config: string; file: string; registry: string };
  depends_on: string[];
  deploy: DeployConfig;
  devices: string[];
  dns: string[];
  dns_search: string[];
  domainname: string;
  entrypoint?: string[];
  /** null: named without a value and not found in the environment. */
  environment: Record<string, string | null>;
  env_file: string[];
  expose: string[];
  external_links: string[];
  extra_hosts: string[];
  hostname: string;
  healthcheck?: HealthCheckConfig;
  image: string;
  init?: boolean;
  ipc: string;
  isolation: string;
  labels: Record<string, string>;
  links: string[];
  logging?: { driver: string; options: Record<string, string> };
  mac_address: string;
  network_mode: string;
  /** null: attached with no options. */
  networks: Record<string, ServiceNetworkConfig | null>;
  pid: string;
  ports: ServicePortConfig[];
  privileged: boolean;
  read_only: boolean;
  restart: string;
  secrets: FileReference[];
  security_opt: string[];
  shm_size: string;
  stdin_open: boolean;
  stopGracePeriodMs?: number;
  stop_signal: string;
  sysctls: Record<string, string>;
  tmpfs: string[];
  tty: boolean;
  ulimits: Record<string, UlimitsConfig>;
  user: string;
  oom_score_adj: number;
  userns_mode: string;
  volumes: ServiceVolumeConfig[];
  working_dir: string;
  /** `x-*` keys of the service, kept only for `stack config`. */
  extras: Record<string, unknown>;
}

export interface External {
  external: boolean;
  /** The deprecated `external: {name: …}`; moved into `name` after loading. */
  name: string;
}

export interface NetworkConfig {
  name: string;
  driver: string;
  driver_opts: Record<string, string>;
  ipam: { driver: string; config: { subnet: string }[] };
  external: External;
  internal: boolean;
  attachable: boolean;
  labels: Record<string, string>;
  extras: Record<string, unknown>;
}

export interface VolumeConfig {
  name: string;
  driver: string;
  driver_opts: Record<string, string>;
  external: External;
  labels: Record<string, string>;
  extras: Record<string, unknown>;
  /** `x-cluster-spec` (CSI cluster volumes), kept as written. */
  clusterSpec?: unknown;
}

export interface FileObjectConfig {
  name: string;
  /** Absolute path of the file holding the content (read when deploying). */
  file: string;
  external: External;
  labels: Record<string, string>;
  extras: Record<string, unknown>;
  driver: string;
  driver_opts: Record<string, string>;
  template_driver: string;
}

/** Finds where a value of the merged stack was written. */
export interface StackLocator {
  /** The file and position of `path` in the last file that writes it (or its nearest ancestor). */
  locate(path: readonly PathSegment[]): { file: string } & SourcePosition;
  /** Like locate, but for a mapping entry, where its key is written. */
  locateKey(path: readonly PathSegment[]): { file: string } & SourcePosition;
}

export interface LoadedStack {
  /** The format version (normalized: "3" and none are "3.13"). */
  version: string;
  /** Absolute directory relative paths were resolved against. */
  workingDir: string;
  /** The compose files, in order. */
  files: string[];
  /** Sorted by name. */
  services: ServiceConfig[];
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  secrets: Record<string, FileObjectConfig>;
  configs: Record<string, FileObjectConfig>;
  /** Top-level `x-*` keys, kept only for `stack config` (as docker keeps them). */
  extras: Record<string, unknown>;
  /**
   * What docker would print while loading ("Ignoring unsupported options:
   * build, links"), and variables that were not set.
   */
  warnings: string[];
  locator: StackLocator;
}
