// A worker as the control plane sees it, running nothing: it takes the tasks
// the store assigns to its node and moves them forward one state per tick
// (accepted, preparing, starting, running), sometimes ends one (failed, or
// complete), stops the ones told to stop, and reports what moved the way the
// dispatcher's task channel writes it (task-channel.ts flushStatus): the
// whole task with the new status, conditioned on the version it read, and
// never a state behind the stored one. A lost agent either keeps its
// containers (a partition: what it ran is still there when it comes back) or
// comes back from a reboot with none: every task it had ends (failed if it
// was wanted running, shutdown if not), as an agent reports what it cannot
// find.

import { isTerminal, Task, TaskState, TaskStatus, taskStateRank } from '../../api/service-types';
import { Prng } from '../../raft/sim/prng';
import { Action, DeepReadonly, MemoryStore } from '../store';

const STEPS: readonly TaskState[] = ['accepted', 'preparing', 'starting', 'running'];
const RUNNING = taskStateRank('running');

interface Local {
  state: TaskState;
  startedAt?: string;
}

export interface AgentFaults {
  /** Chance per tick that a running task ends on its own. */
  endChance: number;
}

export class FakeAgent {
  alive = true;
  /** How the last loss looked to the dispatcher: a closed session is noticed sooner than silence. */
  lostAs: 'closed' | 'silent' = 'closed';
  lastBeat: number;
  private readonly local = new Map<string, Local>();
  /** Tasks whose container a reboot took. */
  private readonly lost = new Set<string>();

  constructor(
    readonly nodeId: string,
    private readonly rng: Prng,
    now: number,
  ) {
    this.lastBeat = now;
  }

  /** One tick: heartbeat, move tasks on, and the status writes it wants to make (one transaction). */
  tick(store: MemoryStore, now: number, faults: AgentFaults): Action[] {
    this.lastBeat = now;
    const iso = new Date(now).toISOString();
    const actions: Action[] = [];
    const mine = new Set<string>();
    for (const t of store.tasksByNode(this.nodeId)) {
      mine.add(t.id);
      const l = this.localOf(t);
      if (isTerminal(t.status.state)) {
        // Told it is over (the orchestrator shut down a task that never ran): nothing runs.
        if (!isTerminal(l.state)) this.local.set(t.id, { state: t.status.state });
        continue;
      }
      if (taskStateRank(t.status.state) < taskStateRank('assigned')) continue;
      this.advance(t, l, iso, faults);
      const u = this.local.get(t.id) ?? l;
      if (taskStateRank(u.state) > taskStateRank(t.status.state)) actions.push(report(t, u, iso));
    }
    // Tasks deleted from the store are gone from the node too.
    for (const id of this.local.keys()) {
      if (mine.has(id)) continue;
      this.local.delete(id);
      this.lost.delete(id);
    }
    return actions;
  }

  /** Back from a reboot: nothing it ran survived. */
  reboot(): void {
    for (const [id, l] of this.local) if (!isTerminal(l.state)) this.lost.add(id);
  }

  /** Containers the agent runs (or is starting): what a dead node still holds. */
  get liveContainers(): number {
    let n = 0;
    for (const l of this.local.values()) if (!isTerminal(l.state)) n++;
    return n;
  }

  private localOf(t: DeepReadonly<Task>): Local {
    let l = this.local.get(t.id);
    if (!l) {
      l = { state: t.status.state, startedAt: t.status.startedAt };
      this.local.set(t.id, l);
    }
    return l;
  }

  private advance(t: DeepReadonly<Task>, l: Local, iso: string, faults: AgentFaults): void {
    // Gone in a reboot: its end is reported like any other.
    if (this.lost.delete(t.id)) {
      this.local.set(t.id, { state: t.desiredState === 'running' ? 'failed' : 'shutdown', startedAt: l.startedAt });
      return;
    }
    if (isTerminal(l.state)) return;
    if (t.desiredState !== 'running') {
      this.local.set(t.id, { state: 'shutdown', startedAt: l.startedAt });
      return;
    }
    const rank = taskStateRank(l.state);
    if (rank < RUNNING) {
      if (!this.rng.chance(0.7)) return;
      const next = STEPS.find((s) => taskStateRank(s) > rank) ?? 'running';
      this.local.set(t.id, { state: next, startedAt: next === 'running' ? iso : l.startedAt });
      return;
    }
    if (faults.endChance > 0 && this.rng.chance(faults.endChance)) {
      this.local.set(t.id, { state: this.rng.chance(0.8) ? 'failed' : 'complete', startedAt: l.startedAt });
    }
  }
}

/** As the dispatcher's task channel writes a report: a narrow status change, applied only if still on this node and forward. */
function report(t: DeepReadonly<Task>, l: Local, iso: string): Action {
  const status: TaskStatus = { state: l.state, timestamp: iso, message: l.state };
  if (l.startedAt !== undefined && taskStateRank(l.state) >= RUNNING) status.startedAt = l.startedAt;
  if (l.state === 'failed') {
    status.exitCode = 1;
    status.err = 'task: non-zero exit (1)';
  } else if (l.state === 'complete') status.exitCode = 0;
  return { op: 'setTaskStatus', kind: 'task', id: t.id, nodeId: t.nodeId as string, status };
}
