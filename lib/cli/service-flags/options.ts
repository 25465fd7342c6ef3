// The options of `service create` and `service update` as commander hands
// them over: camelCase names, every value still the string the user typed
// (parsing happens in buildServiceSpec/applyServiceUpdate, so errors are
// worded the same way whatever the flag), repeatable flags as string[].

import type { Command } from 'commander';

/** Options both commands take. */
export interface CommonServiceOptions {
  /** -d: do not wait for the service to converge (the command's business, not the spec's). */
  detach?: boolean;
  /** -q: no progress output. */
  quiet?: boolean;
  replicas?: string;
  replicasMaxPerNode?: string;
  reserveCpu?: string;
  reserveMemory?: string;
  limitCpu?: string;
  limitMemory?: string;
  restartCondition?: string;
  restartDelay?: string;
  restartMaxAttempts?: string;
  restartWindow?: string;
  stopGracePeriod?: string;
  workdir?: string;
  user?: string;
  hostname?: string;
  entrypoint?: string;
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  /**
   * commander's name for --no-healthcheck: it reads the flag as the negation
   * of "healthcheck", so the value is true unless --no-healthcheck was given.
   * Only `false` means anything.
   */
  healthcheck?: boolean;
  endpointMode?: string;
  updateParallelism?: string;
  updateDelay?: string;
  updateFailureAction?: string;
  updateMonitor?: string;
  updateMaxFailureRatio?: string;
  updateOrder?: string;
  rollbackParallelism?: string;
  rollbackDelay?: string;
  rollbackFailureAction?: string;
  rollbackMonitor?: string;
  rollbackMaxFailureRatio?: string;
  rollbackOrder?: string;
  autoscaleMin?: string;
  autoscaleMax?: string;
  autoscaleCpu?: string;
  autoscaleMemory?: string;
  autoscaleDownDelay?: string;
  autoscaleUpDelay?: string;
}

export interface CreateOptions extends CommonServiceOptions {
  name?: string;
  mode?: string;
  env?: string[];
  envFile?: string[];
  label?: string[];
  containerLabel?: string[];
  constraint?: string[];
  placementPref?: string[];
  publish?: string[];
  mount?: string[];
  network?: string[];
  secret?: string[];
  config?: string[];
}

export interface UpdateOptions extends CommonServiceOptions {
  image?: string;
  /** The container's new arguments, one string split into words like a shell would. */
  args?: string;
  force?: boolean;
  /** Go back to the previous spec; refused together with any other spec flag. */
  rollback?: boolean;
  envAdd?: string[];
  envRm?: string[];
  labelAdd?: string[];
  labelRm?: string[];
  containerLabelAdd?: string[];
  containerLabelRm?: string[];
  constraintAdd?: string[];
  constraintRm?: string[];
  placementPrefAdd?: string[];
  placementPrefRm?: string[];
  publishAdd?: string[];
  publishRm?: string[];
  mountAdd?: string[];
  mountRm?: string[];
  networkAdd?: string[];
  networkRm?: string[];
  secretAdd?: string[];
  secretRm?: string[];
  configAdd?: string[];
  configRm?: string[];
  /** --autoscale-off: remove the autoscale policy. */
  autoscaleOff?: boolean;
}

type Kind = 'create' | 'update';

interface FlagDecl {
  flags: string;
  help: string;
  repeatable?: boolean;
  only?: Kind;
}

// In docker's order of `--help` relevance: what runs, where, how it restarts, then resources.
const FLAGS: readonly FlagDecl[] = [
  { flags: '-d, --detach', help: 'exit immediately instead of waiting for the service to converge' },
  { flags: '-q, --quiet', help: 'suppress progress output' },
  { flags: '--name <name>', help: 'service name', only: 'create' },
  { flags: '--mode <mode>', help: 'service mode: replicated or global (default replicated)', only: 'create' },
  { flags: '--image <image>', help: 'service image tag', only: 'update' },
  { flags: '--args <command>', help: 'service command args (split like a shell)', only: 'update' },
  { flags: '--force', help: 'force update even if no changes require it', only: 'update' },
  { flags: '--rollback', help: 'rollback to previous specification', only: 'update' },
  { flags: '--replicas <n>', help: 'number of tasks' },
  { flags: '--replicas-max-per-node <n>', help: 'maximum number of tasks per node (default 0 = unlimited)' },
  { flags: '-e, --env <KEY=VALUE>', help: 'set environment variables (KEY alone takes it from your environment)', repeatable: true, only: 'create' },
  { flags: '--env-file <file>', help: 'read in a file of environment variables', repeatable: true, only: 'create' },
  { flags: '--env-add <KEY=VALUE>', help: 'add or update an environment variable', repeatable: true, only: 'update' },
  { flags: '--env-rm <KEY>', help: 'remove an environment variable', repeatable: true, only: 'update' },
  { flags: '-l, --label <key=value>', help: 'service labels', repeatable: true, only: 'create' },
  { flags: '--label-add <key=value>', help: 'add or update a service label', repeatable: true, only: 'update' },
  { flags: '--label-rm <key>', help: 'remove a label by its key', repeatable: true, only: 'update' },
  { flags: '--container-label <key=value>', help: 'container labels', repeatable: true, only: 'create' },
  { flags: '--container-label-add <key=value>', help: 'add or update a container label', repeatable: true, only: 'update' },
  { flags: '--container-label-rm <key>', help: 'remove a container label by its key', repeatable: true, only: 'update' },
  { flags: '--constraint <expr>', help: 'placement constraints, e.g. node.labels.zone==east', repeatable: true, only: 'create' },
  { flags: '--constraint-add <expr>', help: 'add a placement constraint', repeatable: true, only: 'update' },
  { flags: '--constraint-rm <expr>', help: 'remove a constraint', repeatable: true, only: 'update' },
  { flags: '--placement-pref <pref>', help: 'add a placement preference, e.g. spread=node.labels.zone', repeatable: true, only: 'create' },
  { flags: '--placement-pref-add <pref>', help: 'add a placement preference', repeatable: true, only: 'update' },
  { flags: '--placement-pref-rm <pref>', help: 'remove a placement preference', repeatable: true, only: 'update' },
  { flags: '-p, --publish <port>', help: "publish a port on every node through the routing mesh (8080:80, 8080:80/udp), or on the task's node only (published=8080,target=80,mode=host)", repeatable: true, only: 'create' },
  { flags: '--publish-add <port>', help: 'add a published port', repeatable: true, only: 'update' },
  { flags: '--publish-rm <port>', help: 'remove a published port by its target port (80, 80/udp, 8080:80)', repeatable: true, only: 'update' },
  { flags: '--mount <mount>', help: 'attach a filesystem mount: type=bind|volume,source=...,target=...[,readonly]', repeatable: true, only: 'create' },
  { flags: '--mount-add <mount>', help: 'add or update a mount', repeatable: true, only: 'update' },
  { flags: '--mount-rm <target>', help: 'remove a mount by its target path', repeatable: true, only: 'update' },
  { flags: '--network <network>', help: 'attach to a network: NAME, or name=NAME,alias=ALIAS[,alias=…]', repeatable: true, only: 'create' },
  { flags: '--network-add <network>', help: 'add a network (NAME or name=NAME,alias=ALIAS)', repeatable: true, only: 'update' },
  { flags: '--network-rm <network>', help: 'remove a network by its name or id', repeatable: true, only: 'update' },
  { flags: '--secret <secret>', help: 'give the containers a secret file: NAME, or source=NAME,target=T,uid=U,gid=G,mode=0400 (under /run/secrets)', repeatable: true, only: 'create' },
  { flags: '--secret-add <secret>', help: 'add a secret (NAME or source=NAME,target=…)', repeatable: true, only: 'update' },
  { flags: '--secret-rm <secret>', help: 'remove a secret by its name', repeatable: true, only: 'update' },
  { flags: '--config <config>', help: 'give the containers a config file: NAME, or source=NAME,target=/path,uid=U,gid=G,mode=0444 (default /NAME)', repeatable: true, only: 'create' },
  { flags: '--config-add <config>', help: 'add a config (NAME or source=NAME,target=…)', repeatable: true, only: 'update' },
  { flags: '--config-rm <config>', help: 'remove a config by its name', repeatable: true, only: 'update' },
  { flags: '--endpoint-mode <mode>', help: 'endpoint mode: vip or dnsrr (default vip)' },
  { flags: '-w, --workdir <dir>', help: 'working directory inside the container' },
  { flags: '-u, --user <user>', help: 'username or UID (format: <name|uid>[:<group|gid>])' },
  { flags: '--hostname <name>', help: 'container hostname' },
  { flags: '--entrypoint <command>', help: 'overwrite the default ENTRYPOINT of the image' },
  { flags: '--stop-grace-period <duration>', help: 'time to wait before force killing a container (default 10s)' },
  { flags: '--restart-condition <condition>', help: 'restart when condition is met: none, on-failure or any (default any)' },
  { flags: '--restart-delay <duration>', help: 'delay between restart attempts (default 5s)' },
  { flags: '--restart-max-attempts <n>', help: 'maximum number of restarts before giving up (default 0 = unlimited)' },
  { flags: '--restart-window <duration>', help: 'window used to evaluate the restart policy' },
  { flags: '--reserve-cpu <cpus>', help: 'reserve CPUs, e.g. 0.5' },
  { flags: '--reserve-memory <bytes>', help: 'reserve memory, e.g. 64M (1024-based)' },
  { flags: '--limit-cpu <cpus>', help: 'limit CPUs' },
  { flags: '--limit-memory <bytes>', help: 'limit memory' },
  { flags: '--health-cmd <command>', help: 'command to run to check health (run by the shell)' },
  { flags: '--health-interval <duration>', help: 'time between running the check' },
  { flags: '--health-timeout <duration>', help: 'maximum time to allow one check to run' },
  { flags: '--health-retries <n>', help: 'consecutive failures needed to report unhealthy' },
  { flags: '--health-start-period <duration>', help: 'start period for the container to initialize before counting retries' },
  { flags: '--no-healthcheck', help: 'disable any container-specified HEALTHCHECK' },
  { flags: '--update-parallelism <n>', help: 'maximum number of tasks updated simultaneously (0 to update all at once)' },
  { flags: '--update-delay <duration>', help: 'delay between updates' },
  { flags: '--update-failure-action <action>', help: 'action on update failure: pause, continue or rollback' },
  { flags: '--update-monitor <duration>', help: 'duration after each task update to monitor for failure' },
  { flags: '--update-max-failure-ratio <ratio>', help: 'failure rate to tolerate during an update' },
  { flags: '--update-order <order>', help: 'update order: start-first or stop-first' },
  { flags: '--rollback-parallelism <n>', help: 'maximum number of tasks rolled back simultaneously' },
  { flags: '--rollback-delay <duration>', help: 'delay between task rollbacks' },
  { flags: '--rollback-failure-action <action>', help: 'action on rollback failure: pause or continue' },
  { flags: '--rollback-monitor <duration>', help: 'duration after each task rollback to monitor for failure' },
  { flags: '--rollback-max-failure-ratio <ratio>', help: 'failure rate to tolerate during a rollback' },
  { flags: '--rollback-order <order>', help: 'rollback order: start-first or stop-first' },
  { flags: '--autoscale-min <n>', help: 'autoscale: fewest replicas (default 1)' },
  { flags: '--autoscale-max <n>', help: 'autoscale: most replicas (required to turn autoscaling on)' },
  { flags: '--autoscale-cpu <percent>', help: 'autoscale: target CPU use per task, percent of its CPU reservation (else of one core)' },
  { flags: '--autoscale-memory <percent>', help: 'autoscale: target memory use per task, percent of its memory reservation (else limit)' },
  { flags: '--autoscale-down-delay <duration>', help: 'autoscale: scale down to the highest recommendation of this window (default 5m)' },
  { flags: '--autoscale-up-delay <duration>', help: 'autoscale: scale up to the lowest recommendation of this window (default 0s)' },
  { flags: '--autoscale-off', help: 'stop autoscaling: remove the autoscale policy (replicas stay as they are)', only: 'update' },
];

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Declares the spec options of `service create` or `service update` on a
 * commander command; the action then receives CreateOptions or UpdateOptions.
 * For create, the words after IMAGE belong to the container, so the command
 * should also use commander's passThroughOptions (docker: SetInterspersed(false)).
 */
export function addServiceSpecOptions(cmd: Command, kind: Kind): Command {
  for (const f of FLAGS) {
    if (f.only !== undefined && f.only !== kind) continue;
    if (f.repeatable) cmd.option(f.flags, f.help, collect, []);
    else cmd.option(f.flags, f.help);
  }
  return cmd;
}
