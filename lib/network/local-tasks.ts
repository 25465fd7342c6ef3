// This node's own tasks as the network needs them, known before the leader's
// table says so: which networks each is on (from its assignment) and its
// container's address (from the executor's reports). A task that starts and
// at once calls another service is recognized here, not after a round trip
// through the leader.

import type { Task, TaskStatus } from '../api/service-types';
import type { LocalTasks } from './peers';

interface Local {
  networks: string[];
  addr?: string;
}

export class OwnTasks implements LocalTasks {
  private readonly tasks = new Map<string, Local>();
  private readonly byAddr = new Map<string, string>();
  private readonly listeners = new Set<() => void>();

  /** The node's whole assignment: tasks no longer in it are forgotten. */
  assign(tasks: readonly Task[]): void {
    const ids = new Set(tasks.map((t) => t.id));
    for (const id of [...this.tasks.keys()]) if (!ids.has(id)) this.forget(id);
    for (const t of tasks) {
      const networks = (t.networks ?? []).map((a) => a.networkId);
      const known = this.tasks.get(t.id);
      if (known) known.networks = networks;
      else this.tasks.set(t.id, { networks });
      if (t.status.addr !== undefined && known?.addr === undefined) this.setAddr(t.id, t.status.addr);
    }
    this.changed();
  }

  /** A status the executor reported for one of them. */
  status(taskId: string, status: TaskStatus): void {
    const t = this.tasks.get(taskId);
    if (!t) return;
    const running = status.state === 'running';
    if (running && status.addr !== undefined && status.addr !== t.addr) {
      this.setAddr(taskId, status.addr);
      this.changed();
    } else if (!running && t.addr !== undefined && status.state !== 'starting') {
      // Stopped: its address may go to another container of the engine.
      this.byAddr.delete(t.addr);
      delete t.addr;
      this.changed();
    }
  }

  byContainerAddr(addr: string): { taskId: string; networks: readonly string[] } | undefined {
    const id = this.byAddr.get(addr);
    const t = id !== undefined ? this.tasks.get(id) : undefined;
    return t && id !== undefined ? { taskId: id, networks: t.networks } : undefined;
  }

  /** The container address of a task running here, for tunnels and direct dials. */
  addrOf(taskId: string): string | undefined {
    return this.tasks.get(taskId)?.addr;
  }

  has(taskId: string): boolean {
    return this.tasks.has(taskId);
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private setAddr(taskId: string, addr: string): void {
    const t = this.tasks.get(taskId);
    if (!t) return;
    if (t.addr !== undefined) this.byAddr.delete(t.addr);
    t.addr = addr;
    this.byAddr.set(addr, taskId);
  }

  private forget(taskId: string): void {
    const t = this.tasks.get(taskId);
    if (t?.addr !== undefined && this.byAddr.get(t.addr) === taskId) this.byAddr.delete(t.addr);
    this.tasks.delete(taskId);
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }
}
