// The task channel alone, on a bare MemoryStore and hand-driven timers: when
// the store is replaced by a snapshot or the watch overflows, the changes are
// not known one by one; the channel compares each session's tasks again and
// sends exactly the difference.

import type { ManagerMessage } from '../../lib/api/dispatcher-protocol';
import { defaultServiceSpec } from '../../lib/api/service-defaults';
import type { Task, TaskState } from '../../lib/api/service-types';
import type { AgentSession } from '../../lib/manager/dispatcher/agent-session';
import type { DispatcherHost } from '../../lib/manager/dispatcher/dispatcher';
import { TaskChannel } from '../../lib/manager/dispatcher/task-channel';
import { fromStoreError } from '../../lib/manager/errors';
import { Action, MemoryStore, Watcher, WatchOptions } from '../../lib/manager/store';
import type { Draft } from '../../lib/manager/store/transaction';
import { ManualTimers, settle } from './manual-timers';

const STAMP = '2026-01-01T00:00:00Z';

function task(id: string, nodeId: string, desired: TaskState = 'running'): Draft<Task> {
  return {
    id,
    serviceId: 'svc',
    serviceName: 'web',
    slot: 1,
    nodeId,
    spec: defaultServiceSpec('web', 'busybox').task,
    ports: [],
    specVersion: 1,
    desiredState: desired,
    networks: [],
    status: { state: 'assigned', timestamp: STAMP, message: 'scheduled' },
  };
}

/** A store whose watches hold few events, so a test can make one overflow with a small burst. */
class SmallWatchStore extends MemoryStore {
  override watch(options: WatchOptions = {}): Watcher {
    return super.watch({ limit: 100, ...options });
  }
}

class Setup {
  readonly store: MemoryStore;
  constructor(store: MemoryStore = new MemoryStore()) {
    this.store = store;
    this.channel = new TaskChannel({ store, write: async () => [] } as unknown as DispatcherHost, this.timers, { warn: () => undefined }, (id) =>
      id === 'n1' ? this.session : undefined,
    );
  }
  readonly timers = new ManualTimers();
  private index = 0;
  readonly sent: ManagerMessage[] = [];
  // The channel reads only these members of a session; a real one needs a socket.
  readonly session = { nodeId: 'n1', isOpen: true, answered: true, send: (m: ManagerMessage) => this.sent.push(m) } as unknown as AgentSession;
  // The channel reads the store and writes status batches; nothing else of the host.
  readonly channel: TaskChannel;

  apply(actions: Action[], store = this.store): void {
    const r = store.apply(++this.index, { at: STAMP, actions });
    if (!r.ok) throw fromStoreError(r.error);
  }

  updates(): Extract<ManagerMessage, { type: 'assignmentsUpdate' }>[] {
    return this.sent.filter((m): m is Extract<ManagerMessage, { type: 'assignmentsUpdate' }> => m.type === 'assignmentsUpdate');
  }
}

describe('TaskChannel when changes were missed', () => {
  it('after a snapshot replaced the store: the difference, no more', async () => {
    const s = new Setup();
    s.apply([{ op: 'create', kind: 'task', object: task('t1', 'n1') }, { op: 'create', kind: 'task', object: task('t2', 'n1') }, { op: 'create', kind: 'task', object: task('t3', 'n1') }]);
    s.channel.start();
    s.channel.sendFull(s.session);
    expect(s.updates().map((u) => [u.reset, u.done, u.set.map((t) => t.id)])).toEqual([[true, true, ['t1', 't2', 't3']]]);

    // Another manager's state: t1 gone, t2 told to shut down, t4 new, t3 as it was.
    const other = new MemoryStore();
    other.restore(s.store.snapshot());
    const t2 = other.get('task', 't2') as Task;
    s.apply(
      [
        { op: 'delete', kind: 'task', id: 't1' },
        { op: 'update', kind: 'task', object: { ...structuredClone(t2), desiredState: 'shutdown' }, expectedVersion: t2.meta.version },
        { op: 'create', kind: 'task', object: task('t4', 'n1') },
        { op: 'create', kind: 'task', object: task('x1', 'n2') },
      ],
      other,
    );
    s.store.restore(other.snapshot());
    await settle();
    s.timers.fire();
    const [, u] = s.updates();
    expect(s.updates()).toHaveLength(2);
    expect([u.reset, u.done, u.set.map((t) => [t.id, t.desiredState]).sort(), u.del]).toEqual([
      false,
      true,
      [
        ['t2', 'shutdown'],
        ['t4', 'running'],
      ],
      ['t1'],
    ]);
    s.channel.stop();
  });

  it('after the watch overflowed: the difference, no more', async () => {
    const s = new Setup(new SmallWatchStore());
    s.apply([{ op: 'create', kind: 'task', object: task('t1', 'n1') }, { op: 'create', kind: 'task', object: task('t2', 'n1') }]);
    s.channel.start();
    s.channel.sendFull(s.session);
    const t1 = s.store.get('task', 't1') as Task;
    // More events at once than the watch holds: the follower loses them and says so.
    const flood: Action[] = Array.from({ length: 101 }, (_, i) => ({ op: 'create', kind: 'task', object: task(`f${i}`, 'n2') }));
    s.apply([...flood, { op: 'update', kind: 'task', object: { ...structuredClone(t1), desiredState: 'shutdown' }, expectedVersion: t1.meta.version }]);
    await settle();
    s.timers.fire();
    expect(s.updates()).toHaveLength(2);
    expect(s.updates()[1].set.map((t) => [t.id, t.desiredState])).toEqual([['t1', 'shutdown']]);
    expect(s.updates()[1].del).toEqual([]);
    s.channel.stop();
  });
});
