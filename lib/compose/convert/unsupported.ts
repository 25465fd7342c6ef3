import type { ServiceConfig } from '../types';

// Keys `docker stack deploy` honours that this cluster's specs cannot carry
// yet. Each one the file uses becomes a notice naming the service, the key
// and what happens instead, so nothing is dropped silently. (Keys docker
// itself ignores are already in the loader's "Ignoring unsupported options"
// warning and are not repeated here.)

interface Rule {
  key: string;
  used: (s: ServiceConfig) => boolean;
  instead: string;
}

const RULES: Rule[] = [
  { key: 'cap_add', used: (s) => s.cap_add.length > 0, instead: "containers get the engine's default capabilities" },
  { key: 'cap_drop', used: (s) => s.cap_drop.length > 0, instead: "containers get the engine's default capabilities" },
  { key: 'credential_spec', used: (s) => Object.values(s.credential_spec).some((v) => v !== ''), instead: 'no credential spec is set' },
  { key: 'dns', used: (s) => s.dns.length > 0, instead: "containers use the engine's DNS servers" },
  { key: 'dns_search', used: (s) => s.dns_search.length > 0, instead: "containers use the engine's DNS search domains" },
  { key: 'extra_hosts', used: (s) => s.extra_hosts.length > 0, instead: 'no entries are added to /etc/hosts' },
  { key: 'init', used: (s) => s.init === true, instead: 'no init process runs in the containers' },
  { key: 'isolation', used: (s) => s.isolation !== '', instead: "the engine's default isolation is used" },
  { key: 'logging', used: (s) => s.logging !== undefined, instead: "containers use the engine's default logging driver and options" },
  { key: 'oom_score_adj', used: (s) => s.oom_score_adj !== 0, instead: 'the OOM score is left alone' },
  { key: 'read_only', used: (s) => s.read_only, instead: "the containers' root filesystems are writable" },
  { key: 'stdin_open', used: (s) => s.stdin_open, instead: 'stdin is not kept open' },
  { key: 'stop_signal', used: (s) => s.stop_signal !== '', instead: 'containers are stopped with SIGTERM' },
  { key: 'sysctls', used: (s) => Object.keys(s.sysctls).length > 0, instead: 'no sysctls are set' },
  { key: 'tmpfs', used: (s) => s.tmpfs.length > 0, instead: 'no tmpfs is mounted' },
  { key: 'tty', used: (s) => s.tty, instead: 'no TTY is allocated' },
  { key: 'ulimits', used: (s) => Object.keys(s.ulimits).length > 0, instead: "the engine's default limits apply" },
  {
    key: 'deploy.resources.limits.pids',
    used: (s) => (s.deploy.resources.limits?.pids ?? 0) !== 0,
    instead: 'the number of processes is not limited',
  },
  {
    key: 'deploy.resources.reservations.generic_resources',
    used: (s) => (s.deploy.resources.reservations?.generic_resources.length ?? 0) > 0,
    instead: 'tasks are placed without looking at them',
  },
  {
    key: 'healthcheck.start_interval',
    used: (s) => s.healthcheck?.startIntervalMs !== undefined,
    instead: 'the health check runs at its interval from the start',
  },
  { key: 'depends_on', used: (s) => s.depends_on.length > 0, instead: 'services start in no particular order (as with docker stack deploy)' },
];

export function unsupportedNotices(s: ServiceConfig): string[] {
  return RULES.filter((r) => r.used(s)).map((r) => `service ${s.name}: ${r.key} is not supported yet; ${r.instead}`);
}
