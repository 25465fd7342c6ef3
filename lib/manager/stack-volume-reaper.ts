// `swarm stack rm` removes the named volumes the stack's tasks created (they
// carry the stack's namespace label). Volumes live on each node's engine and
// are in use until the node removes its containers, which happens after the
// orchestrator deleted the tasks; so the leader waits until the stack has no
// task left in the store, then asks every connected node to remove the
// stack's unused volumes, and asks again a little later for nodes that were
// still stopping containers. The wish lives on the leader only: a leader change
// in between, or a node that is down, leaves volumes behind (docs/compose.md, "Deploy and remove").

import { TimerHandle } from '../util/timers';
import { ControlHost } from './control-host';
import { Dispatcher } from './dispatcher';
import { LeaderLoop } from './leader-loops';
import { NAMESPACE_LABEL } from './stack-ops';

/** Delays after the last task went, at which the nodes are asked. */
const ASK_AT_MS = [0, 3_000, 10_000];
const GIVE_UP_MS = 120_000;
const TICK_MS = 500;

interface Pending {
  since: number;
  tasksGoneAt?: number;
  asked: number;
}

export class StackVolumeReaper implements LeaderLoop {
  readonly name = 'stack-volume-reaper';
  private readonly pending = new Map<string, Pending>();
  private timer?: TimerHandle;
  private running = false;

  constructor(
    private readonly m: Pick<ControlHost, 'store' | 'clock' | 'timers'>,
    private readonly dispatcher: Dispatcher,
  ) {}

  private track(namespace: string): void {
    if (!this.pending.has(namespace)) this.pending.set(namespace, { since: this.m.clock(), asked: 0 });
  }

  start(): void {
    this.running = true;
    void this.follow();
    this.arm();
  }

  private arm(): void {
    this.timer = this.m.timers.setTimeout(() => {
      if (!this.running) return;
      this.tick();
      this.arm();
    }, TICK_MS);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.m.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  /** A stack whose last service was deleted is pending. */
  private async follow(): Promise<void> {
    const w = this.m.store.watch({ kinds: ['service'], actions: ['delete'] });
    try {
      for await (const ev of w) {
        if (!this.running) break;
        if (ev.action !== 'delete' || ev.kind !== 'service') continue;
        const ns = ev.object.spec.labels[NAMESPACE_LABEL];
        if (ns === undefined) continue;
        if (!this.m.store.list('service').some((s) => s.spec.labels[NAMESPACE_LABEL] === ns)) this.track(ns);
      }
    } catch {
      // Overflow: a missed stack keeps its volumes; nothing else depends on this.
    } finally {
      w.close();
    }
  }

  private tick(): void {
    const now = this.m.clock();
    for (const [ns, p] of this.pending) {
      if (now - p.since > GIVE_UP_MS) {
        this.pending.delete(ns);
        continue;
      }
      if (p.tasksGoneAt === undefined) {
        const left = this.m.store.list('task').some((t) => t.spec.container.labels[NAMESPACE_LABEL] === ns);
        if (left) continue;
        p.tasksGoneAt = now;
      }
      while (p.asked < ASK_AT_MS.length && now - p.tasksGoneAt >= ASK_AT_MS[p.asked]) {
        this.dispatcher.removeVolumes({ [NAMESPACE_LABEL]: ns });
        p.asked++;
      }
      if (p.asked >= ASK_AT_MS.length) this.pending.delete(ns);
    }
  }
}
