// The convergence display of `service create/update/scale` without -d, as
// docker draws it: an "overall progress" line, one line per replica slot (or
// per node for a global service) with the task's state and a progress bar,
// the task's error in place of the bar when it has one, then "verify" lines.
// Pure: one snapshot in, the frame's lines out. The command redraws them
// (ANSI) and decides when to stop; docker's timing rules are documented on
// the helpers below so it can follow them.

import type { Task, TaskState, TaskStatus } from '../../api/service-types';
import type { DeepReadonly } from '../../util/deep-readonly';
import { shortId } from '../table';

/** What the display needs of a task; a stored Task fits as it is. */
export type ProgressTask = DeepReadonly<
  Pick<Task, 'slot' | 'nodeId' | 'desiredState'> & { specVersion?: number; status: Pick<TaskStatus, 'state' | 'err' | 'message'> }
>;

export interface ProgressSnapshot {
  mode: 'replicated' | 'global';
  /** Replicated services: the desired replica count. Ignored for global ones. */
  replicas: number;
  /**
   * The service's tasks. Only tasks of the current spec count (docker asks
   * for "up-to-date" tasks); give specVersion to have older ones dropped here.
   */
  tasks: readonly ProgressTask[];
  specVersion?: number;
  /** Nodes that are not down; tasks on other nodes are left out. Undefined: all nodes count. */
  activeNodeIds?: ReadonlySet<string>;
  /** Word the overall line as docker does during an automatic rollback. */
  rollback?: boolean;
}

export interface ProgressFrame {
  lines: string[];
  running: number;
  total: number;
  /** Every slot (or node) has a running task: time to start the "verify" wait. */
  converged: boolean;
}

export interface ProgressRenderOptions {
  /**
   * Terminal columns. docker draws bars only when wider than 110 and falls
   * back to 200 when it cannot tell, so the default shows them.
   */
  width?: number;
  /**
   * false for output that is not a terminal: docker then prints no state bars
   * at all (only the overall line, errors and verify lines).
   */
  terminal?: boolean;
}

// docker's numbering, which includes swarmkit's "allocated" between new and pending.
const NUMBERED: Partial<Record<TaskState, number>> = {
  new: 1,
  pending: 3,
  assigned: 4,
  accepted: 5,
  preparing: 6,
  ready: 7,
  starting: 8,
  running: 9,
  complete: 10,
  shutdown: 11,
  failed: 12,
  rejected: 13,
};
const MAX_PROGRESS = 9;
const MAX_PROGRESS_BARS = 20;
// The longest state name a bar can show ("preparing", docker's "allocated"), so bars line up.
const LONGEST_STATE = 9;
const MAX_ERROR_LENGTH = 75;

const numbered = (s: TaskState): number => NUMBERED[s] ?? 0;
const isTerminalState = (s: TaskState): boolean => numbered(s) > numbered('running');

/** docker's truncError: one line, at most 75 characters. */
function truncError(text: string): string {
  const one = text.replace(/\n/g, ' ');
  return one.length > MAX_ERROR_LENGTH ? `${one.slice(0, MAX_ERROR_LENGTH - 1)}…` : one;
}

/** The bar docker's JSONProgress draws: 50 cells, "=" for the part done, then ">". */
export function progressBar(current: number, total: number): string {
  const percentage = Math.min(Math.trunc((Math.trunc((current / total) * 100)) / 2), 50);
  return `[${'='.repeat(percentage)}>${' '.repeat(Math.max(50 - percentage, 0))}]`;
}

/**
 * Of several tasks for one slot (or node), the one docker shows: the lowest
 * desired state wins (a task meant to run over one being shut down), then the
 * least advanced observed state; the first seen keeps a tie.
 */
function pick(existing: ProgressTask | undefined, task: ProgressTask): boolean {
  if (existing === undefined) return true;
  const ed = numbered(existing.desiredState);
  const td = numbered(task.desiredState);
  if (ed < td) return false;
  if (ed === td && numbered(existing.status.state) <= numbered(task.status.state)) return false;
  return true;
}

/**
 * What the task's line says after "1/3: ": its error, or the scheduler's
 * "no suitable node (...)" while it waits (swarmkit puts that in the error; a
 * scheduler that puts it in the message is read the same way), or its state
 * padded to line up the bars. Undefined: nothing to show (a task being shut down).
 */
function taskAction(task: ProgressTask, withBar: boolean, width: number): string | undefined {
  const reason = task.status.err || (task.status.state === 'pending' && /^no suitable node/.test(task.status.message) ? task.status.message : '');
  if (reason) return truncError(reason);
  if (isTerminalState(task.desiredState) || isTerminalState(task.status.state)) return undefined;
  if (!withBar) return undefined;
  const state = task.status.state.padEnd(LONGEST_STATE);
  return width > 110 ? `${state} ${progressBar(numbered(task.status.state), MAX_PROGRESS)}` : state;
}

function overallLine(running: number, total: number, rollback: boolean | undefined): string {
  return rollback
    ? `overall progress: rolling back update: ${running} out of ${total} tasks`
    : `overall progress: ${running} out of ${total} tasks`;
}

function relevant(snapshot: ProgressSnapshot): ProgressTask[] {
  return snapshot.tasks.filter(
    (t) =>
      numbered(t.desiredState) !== 0 &&
      numbered(t.status.state) !== 0 &&
      (snapshot.specVersion === undefined || t.specVersion === undefined || t.specVersion === snapshot.specVersion),
  );
}

function replicatedFrame(snapshot: ProgressSnapshot, width: number, bars: boolean): ProgressFrame {
  const replicas = snapshot.replicas;
  const bySlot = new Map<number, ProgressTask>();
  for (const t of relevant(snapshot)) {
    // A task placed on a node that is down no longer counts for its slot.
    if (t.nodeId && snapshot.activeNodeIds && !snapshot.activeNodeIds.has(t.nodeId)) continue;
    const slot = t.slot ?? 0;
    if (pick(bySlot.get(slot), t)) bySlot.set(slot, t);
  }
  // Slots are shown as 1..N in slot order, whatever numbers the tasks carry.
  const slots = [...bySlot.keys()].sort((a, b) => a - b);
  let running = 0;
  for (const t of bySlot.values()) {
    if (!isTerminalState(t.desiredState) && t.status.state === 'running') running++;
  }
  const lines = [overallLine(running, replicas, snapshot.rollback)];
  if (replicas <= MAX_PROGRESS_BARS) {
    for (let i = 1; i <= replicas; i++) {
      const task = i <= slots.length ? bySlot.get(slots[i - 1]) : undefined;
      const action = task ? taskAction(task, bars, width) : undefined;
      if (action === undefined && !bars) continue;
      lines.push(action === undefined ? `${i}/${replicas}:` : `${i}/${replicas}: ${action}`.trimEnd());
    }
  }
  return { lines, running, total: replicas, converged: running === replicas };
}

function globalFrame(snapshot: ProgressSnapshot, width: number, bars: boolean): ProgressFrame {
  const byNode = new Map<string, ProgressTask>();
  for (const t of relevant(snapshot)) {
    const node = t.nodeId ?? '';
    if (pick(byNode.get(node), t)) byNode.set(node, t);
  }
  const total = byNode.size;
  if (total === 0) return { lines: ['overall progress: waiting for new tasks'], running: 0, total: 0, converged: false };
  const nodes = [...byNode.keys()].sort();
  const active = (id: string) => !snapshot.activeNodeIds || snapshot.activeNodeIds.has(id);
  let running = 0;
  const taskLines: string[] = [];
  for (const node of nodes) {
    if (!active(node)) continue;
    const t = byNode.get(node)!;
    if (!isTerminalState(t.desiredState) && t.status.state === 'running') running++;
    if (total > MAX_PROGRESS_BARS) continue;
    const action = taskAction(t, bars, width);
    if (action !== undefined) taskLines.push(`${shortId(node)}: ${action}`.trimEnd());
  }
  return { lines: [overallLine(running, total, snapshot.rollback), ...taskLines], running, total, converged: running === total };
}

/** One frame of the display for the snapshot. Lines carry no trailing spaces and no ANSI codes. */
export function renderServiceProgress(snapshot: ProgressSnapshot, options: ProgressRenderOptions = {}): ProgressFrame {
  const width = options.width ?? 200;
  const bars = options.terminal !== false;
  return snapshot.mode === 'global' ? globalFrame(snapshot, width, bars) : replicatedFrame(snapshot, width, bars);
}

/**
 * The "verify" line, docker's last stage. docker waits for the update
 * config's monitor period (5 s by default) after every task first runs,
 * showing `waiting` with the whole seconds left plus one; a task that stops
 * running meanwhile shows `failure` and the wait starts over; at the end
 * `converged` names the service as the user typed it.
 */
export type VerifyState =
  | { stage: 'waiting'; remainingMs: number }
  | { stage: 'failure' }
  | { stage: 'converged'; service: string };

export function progressVerifyLine(v: VerifyState): string {
  switch (v.stage) {
    case 'waiting':
      return `verify: Waiting ${Math.floor(v.remainingMs / 1000) + 1} seconds to verify that tasks are stable...`;
    case 'failure':
      return 'verify: Detected task failure';
    case 'converged':
      return `verify: Service ${v.service} converged`;
  }
}

/** docker's line when an automatic rollback starts, with the manager's message. */
export function progressRollbackLine(message: string): string {
  return `rollback: ${message}`;
}

/** What docker prints when the user interrupts the wait before convergence (the service keeps converging). */
export function progressInterruptedLines(service: string): string[] {
  return ['Operation continuing in background.', `Use \`swarm service ps ${service}\` to check progress.`];
}
