// The network table kept incrementally (net-view-index) against its definition
// (viewFor): random changes to networks, services, tasks and nodes, sessions
// coming and going (several per node, several nodes per machine), a snapshot
// restore now and then; after every flush each session's table, built from the
// messages it got exactly as a node builds it, must be viewFor of the store.
// And the messages must be changes only: no entry sent again unchanged, no
// deletion of an entry the session does not have.

import type { NetEntry, NetUpdate } from '../../lib/api/net-table';
import type { TaskState } from '../../lib/api/service-types';
import { TASK_STATES } from '../../lib/api/service-types';
import type { AgentSession } from '../../lib/manager/dispatcher/agent-session';
import type { DispatcherHost } from '../../lib/manager/dispatcher/dispatcher';
import { NetChannel } from '../../lib/manager/dispatcher/net-channel';
import type { Timers } from '../../lib/manager/dispatcher/timers';
import { entryKey, hostKeyOf, viewFor } from '../../lib/manager/network/net-table';
import { MemoryStore } from '../../lib/manager/store/memory-store';
import type { Action } from '../../lib/manager/store/transaction';
import { network, serviceOn } from '../manager/network/fixtures';
import { node, task, tx } from '../manager/store/fixtures';
import { seededRandom as rng } from '../../lib/raft/random';

/** A session as the channel sees it, holding its table the way a node does (lib/network/table.ts). */
class FakeSession {
  isOpen = true;
  table = new Map<string, NetEntry>();
  private staging: Map<string, NetEntry> | undefined;
  readonly problems: string[] = [];
  constructor(readonly nodeId: string) {}

  send(m: { type: string } & NetUpdate): void {
    if (m.type !== 'netUpdate') return;
    if (m.reset) this.staging = new Map();
    const target = this.staging ?? this.table;
    for (const r of m.del) {
      const k = entryKey(r);
      if (!m.reset && !target.has(k)) this.problems.push(`deleted ${k}, which it did not have`);
      target.delete(k);
    }
    for (const e of m.set) {
      const k = entryKey(e);
      if (!m.reset && this.staging === undefined && JSON.stringify(target.get(k)) === JSON.stringify(e)) this.problems.push(`sent ${k} again unchanged`);
      target.set(k, e);
    }
    if (!m.done) return;
    if (this.staging) this.table = this.staging;
    this.staging = undefined;
  }
}

/**
 * Watches that hand out every queued event at once: a real watch yields to the
 * event loop every 20 ms of delivery, so on a loaded machine one macrotask turn
 * would not always see them all consumed, and the check after it would race.
 */
class EagerStore extends MemoryStore {
  override watch(options?: Parameters<MemoryStore['watch']>[0]): ReturnType<MemoryStore['watch']> {
    return super.watch({ yieldMs: 0, ...options });
  }
}

const NODES = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'];
const MACHINES = ['m1', 'm2', 'm3'];
const NETS = ['net0', 'net1', 'net2', 'net3'];
const SERVICES = ['s0', 's1', 's2', 's3', 's4'];
const TASKS = Array.from({ length: 24 }, (_, i) => `t${i}`);

async function run(seed: number, steps: number): Promise<{ flushes: number; applied: number }> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const some = <T>(xs: readonly T[]): T[] => xs.filter(() => r() < 0.35);
  const store = new EagerStore();
  let index = 0;
  let applied = 0;
  const write = (...actions: Action[]) => {
    if (store.apply(++index, tx(...actions)).ok) applied++;
  };
  // A copy to edit: update replaces the whole object, conditioned on its version.
  const edit = <K extends 'node' | 'service' | 'task'>(kind: K, id: string, change: (o: ReturnType<MemoryStore['list']>[number] & Record<string, never>) => void) => {
    const cur = store.get(kind, id);
    if (!cur) return;
    const o = JSON.parse(JSON.stringify(cur));
    change(o);
    write({ op: 'update', kind, object: o, expectedVersion: cur.meta.version } as Action);
  };
  write(
    { op: 'create', kind: 'network', object: network('ing', 'ingress', '10.0.0.0/24', { ingress: true }) },
    ...NETS.map((id, i) => ({ op: 'create' as const, kind: 'network' as const, object: network(id, id, `10.${i + 1}.0.0/24`) })),
  );

  let fire: (() => void) | undefined;
  const timers: Timers = {
    setTimeout: (fn) => (fire = fn),
    clearTimeout: () => (fire = undefined),
  };
  // The channel reads only `store` from its host; sessions only need nodeId, isOpen and send.
  const channel = new NetChannel({ store } as unknown as DispatcherHost, timers);
  channel.start();
  const sessions = new Set<FakeSession>();
  const register = () => {
    const s = new FakeSession(pick(NODES));
    sessions.add(s);
    channel.sendFull(s as unknown as AgentSession);
  };
  const dataPath = (id: string, hostKey: string | undefined) =>
    hostKey === undefined ? undefined : { addr: `127.0.0.1:${NODES.indexOf(id) + 1}`, hostKey };

  const change = () => {
    const what = r();
    if (what < 0.12) {
      const id = pick(NODES);
      const hostKey = r() < 0.8 ? pick(MACHINES) : undefined;
      if (!store.get('node', id)) {
        const n = node(id, `h-${id}`);
        const dp = dataPath(id, hostKey);
        if (dp && n.description) n.description.dataPath = dp;
        write({ op: 'create', kind: 'node', object: n });
      } else if (r() < 0.25) write({ op: 'delete', kind: 'node', id });
      else edit('node', id, (o) => {
        const d = (o as unknown as { description: { dataPath?: unknown } }).description;
        const dp = dataPath(id, hostKey);
        if (dp) d.dataPath = dp;
        else delete d.dataPath;
      });
    } else if (what < 0.25) {
      const id = pick(SERVICES);
      const nets = some(NETS);
      const ingress = r() < 0.25 ? [{ protocol: 'tcp' as const, targetPort: 80, publishedPort: 30000 + SERVICES.indexOf(id), publishMode: 'ingress' as const }] : [];
      const endpoint = { virtualIPs: nets.map((n) => ({ networkId: n, addr: `10.${NETS.indexOf(n) + 1}.0.${SERVICES.indexOf(id) + 2}/24` })), ports: ingress };
      if (!store.get('service', id)) {
        const s = serviceOn(id, id, nets, r() < 0.5 ? [`${id}-alias`] : []);
        s.spec.endpoint.ports = ingress;
        s.endpoint = endpoint;
        write({ op: 'create', kind: 'service', object: s });
      } else if (r() < 0.2) write({ op: 'delete', kind: 'service', id });
      else edit('service', id, (o) => {
        const s = o as unknown as { spec: { task: { networks: unknown[] }; endpoint: { ports: unknown[] } }; endpoint: unknown };
        s.spec.task.networks = nets.map((target) => ({ target, aliases: [] }));
        s.spec.endpoint.ports = ingress;
        s.endpoint = endpoint;
      });
    } else {
      const id = pick(TASKS);
      const cur = store.get('task', id);
      if (!cur) {
        const svc = store.get('service', pick(SERVICES));
        if (!svc) return;
        const t = task(id, svc.id, r() < 0.8 ? pick(NODES) : undefined);
        const nets = (svc.spec.task.networks ?? []).map((a) => a.target);
        t.spec.networks = nets.map((target) => ({ target, aliases: [] }));
        t.networks = nets.map((n) => ({ networkId: n, addresses: [`10.${NETS.indexOf(n) + 1}.0.${100 + TASKS.indexOf(id)}/24`] }));
        t.status = { ...t.status, state: pick(['assigned', 'running', 'running', 'failed'] as TaskState[]), addr: '172.17.0.2' };
        write({ op: 'create', kind: 'task', object: t });
      } else if (r() < 0.15) write({ op: 'delete', kind: 'task', id });
      else edit('task', id, (o) => {
        const t = o as unknown as { nodeId?: string; desiredState: TaskState; status: { state: TaskState; served?: unknown[] } };
        const k = r();
        if (k < 0.5) t.status.state = pick(TASK_STATES);
        else if (k < 0.7) t.nodeId = pick(NODES);
        else if (k < 0.85) t.desiredState = pick(['running', 'shutdown'] as TaskState[]);
        else t.status.served = r() < 0.5 ? [{ protocol: 'tcp', port: 8080 }] : [];
      });
    }
  };

  let flushes = 0;
  for (let step = 0; step < steps; step++) {
    // A burst of changes, sessions joining and leaving in it, then the follower catches up and the flush runs.
    const burst = 1 + Math.floor(r() * 5);
    for (let i = 0; i < burst; i++) {
      change();
      if (r() < 0.1 && sessions.size < 12) register();
      if (r() < 0.05 && sessions.size > 0) {
        const s = pick([...sessions]);
        s.isOpen = false;
        sessions.delete(s);
        if (r() < 0.5) channel.onClose(s as unknown as AgentSession);
      }
      if (r() < 0.3) await new Promise((res) => setImmediate(res));
    }
    if (r() < 0.02) store.restore(store.snapshot());
    // The store's watch delivers through promises: one macrotask turn has them all consumed.
    await new Promise((res) => setImmediate(res));
    if (fire) {
      const f = fire;
      fire = undefined;
      f();
      flushes++;
    }
    for (const s of sessions) {
      const want = viewFor(store, hostKeyOf(store.get('node', s.nodeId), s.nodeId));
      const got = s.table;
      const wrong = [...s.problems];
      for (const [k, e] of want) if (JSON.stringify(got.get(k)) !== JSON.stringify(e)) wrong.push(`${k}: has ${JSON.stringify(got.get(k))}, viewFor ${JSON.stringify(e)}`);
      for (const k of got.keys()) if (!want.has(k)) wrong.push(`${k}: has it, viewFor does not`);
      // Only when something is wrong: expect on every entry makes a run ten times slower.
      if (wrong.length > 0) expect({ where: `seed ${seed}, step ${step}, session of ${s.nodeId}`, wrong }).toEqual({ wrong: [] });
    }
    if (sessions.size < 3) register();
  }
  channel.stop();
  return { flushes, applied };
}

describe('the network table kept from store events', () => {
  test.each([1, 2, 3, 4, 5, 6, 7, 8])('equals viewFor for every session after every flush (seed %i)', async (seed) => {
    const { flushes, applied } = await run(seed, 250);
    // The run did change things and did send them, or it proved nothing.
    expect(applied).toBeGreaterThan(400);
    expect(flushes).toBeGreaterThan(150);
  });
});
