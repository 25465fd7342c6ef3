import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import Docker from 'dockerode';

const REPO_ROOT = resolve(__dirname, '..', '..');
const PING_TIMEOUT_MS = 5000;

/** The engine address as dockerode resolves it: DOCKER_HOST, else the default socket. */
export function dockerEndpoint(): string {
  return process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/** CI sets REQUIRE_DOCKER=1 so a missing engine fails the run instead of skipping quietly. */
export function dockerRequired(): boolean {
  return process.env.REQUIRE_DOCKER === '1';
}

export type Reachability = { reachable: true } | { reachable: false; reason: string };

// Jest collects tests synchronously, and whether to skip must be known then, so the
// asynchronous ping runs in a child node process that reads the same DOCKER_HOST.
const PING_SCRIPT = `
const Docker = require('dockerode');
new Docker().ping().then(
  () => process.exit(0),
  (err) => { process.stderr.write(String((err && err.message) || err)); process.exit(1); },
);`;

let cached: Reachability | undefined;

export function probeDockerSync(): Reachability {
  if (cached !== undefined) return cached;
  const child = spawnSync(process.execPath, ['-e', PING_SCRIPT], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: PING_TIMEOUT_MS,
  });
  if (child.error !== undefined) {
    cached = { reachable: false, reason: `ping failed: ${child.error.message}` };
  } else if (child.status === 0) {
    cached = { reachable: true };
  } else {
    cached = { reachable: false, reason: child.stderr.trim() || `ping exited with status ${String(child.status)}` };
  }
  return cached;
}

/**
 * `describe` for tests that need a Docker engine. With no engine the block is skipped
 * with the reason in its title and a console warning, unless REQUIRE_DOCKER=1, where
 * it becomes one failing test saying the engine could not be reached.
 */
export function describeWithDocker(title: string, body: (docker: Docker) => void): void {
  const probe = probeDockerSync();
  if (probe.reachable) {
    describe(title, () => body(new Docker()));
    return;
  }
  const problem = `docker engine could not be reached at ${dockerEndpoint()}: ${probe.reason}`;
  if (dockerRequired()) {
    describe(title, () => {
      test('has a docker engine to talk to (REQUIRE_DOCKER=1)', () => {
        throw new Error(`${problem}. Start dockerd (see .ci/run) or unset REQUIRE_DOCKER.`);
      });
    });
    return;
  }
  console.warn(`Skipping "${title}": ${problem}. Set REQUIRE_DOCKER=1 to fail instead.`);
  describe.skip(`${title} [skipped: ${problem}]`, () => body(new Docker()));
}

/** Rejects with `what` in the message if `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The second engine (scripts/second-engine.sh) that network tests use as another host. */
export function secondEngineHost(): string | undefined {
  return process.env.SWARM_TEST_DOCKER_HOST2 || undefined;
}

/**
 * `describe` for tests that need two engines acting as two hosts: the default one
 * and SWARM_TEST_DOCKER_HOST2. Skipped (with the reason) when either is missing,
 * unless REQUIRE_DOCKER=1.
 */
export function describeWithTwoEngines(title: string, body: (docker: Docker, docker2: Docker, host2: string) => void): void {
  const host2 = secondEngineHost();
  const probe = probeDockerSync();
  const problem = !probe.reachable
    ? `docker engine could not be reached at ${dockerEndpoint()}: ${probe.reason}`
    : host2 === undefined
      ? 'SWARM_TEST_DOCKER_HOST2 is not set (start one with: bash scripts/second-engine.sh start)'
      : undefined;
  if (problem === undefined && host2 !== undefined) {
    describe(title, () => body(new Docker(), dockerAt(host2), host2));
    return;
  }
  if (dockerRequired()) {
    describe(title, () => {
      test('has two docker engines to talk to (REQUIRE_DOCKER=1)', () => {
        throw new Error(`${problem}. Start them (see .ci/run) or unset REQUIRE_DOCKER.`);
      });
    });
    return;
  }
  console.warn(`Skipping "${title}": ${problem}. Set REQUIRE_DOCKER=1 to fail instead.`);
  describe.skip(`${title} [skipped: ${problem}]`, () => undefined);
}

function dockerAt(host: string): Docker {
  return host.startsWith('unix://') ? new Docker({ socketPath: host.slice('unix://'.length) }) : new Docker({ host });
}
