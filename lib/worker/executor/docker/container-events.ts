// One stream of the engine's container events per executor, filtered on the
// node's label, fanned out to whoever waits on a container. Events are only
// wake-ups: a waiter re-inspects the container and decides from that, so a
// duplicate event costs an inspect and a missed one is caught by the resync
// after a reconnect (everyone re-inspects) or by the waiter's own timeout.

import type Docker from 'dockerode';
import type { ExecutorLogger } from '../types';
import { engineMessage } from './engine-errors';
import { labelFilter, NODE_LABEL } from './labels';

interface EngineEvent {
  id?: string;
  time?: number;
  Actor?: { ID?: string };
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

function destroy(stream: NodeJS.ReadableStream): void {
  const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
  s.destroy?.();
}

export class ContainerEvents {
  private readonly subscribers = new Map<string, Set<() => void>>();
  private stream: NodeJS.ReadableStream | undefined;
  /** Engine time (seconds) of the last event seen: a reconnect replays from there. */
  private sinceSec: number | undefined;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly docker: Docker,
    private readonly nodeId: string,
    private readonly logger: ExecutorLogger,
  ) {}

  /** Connects once; throws when the engine cannot be reached. */
  async open(): Promise<void> {
    if (this.stream === undefined) await this.connect();
  }

  /** `onEvent` runs for every event about the container and after every reconnect. */
  subscribe(containerId: string, onEvent: () => void): () => void {
    let set = this.subscribers.get(containerId);
    if (set === undefined) this.subscribers.set(containerId, (set = new Set()));
    set.add(onEvent);
    return () => {
      set.delete(onEvent);
      if (set.size === 0 && this.subscribers.get(containerId) === set) this.subscribers.delete(containerId);
    };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    if (this.stream !== undefined) destroy(this.stream);
    this.stream = undefined;
  }

  private async connect(): Promise<void> {
    // The engine subscribes us only after answering, so without `since` an event in
    // between would be lost; it replays its recent events from `since` instead.
    const since = this.sinceSec ?? Math.floor(Date.now() / 1000) - 1;
    const stream = await this.docker.getEvents({
      since,
      filters: { type: ['container'], label: [labelFilter(NODE_LABEL, this.nodeId)] },
    });
    if (this.closed) {
      destroy(stream);
      return;
    }
    this.stream = stream;
    this.failures = 0;
    let pending = '';
    stream.on('data', (chunk: Buffer | string) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.dispatch(line);
    });
    let ended = false;
    const onEnd = (why: string): void => {
      if (ended) return;
      ended = true;
      if (this.stream === stream) this.stream = undefined;
      if (!this.closed) this.reconnect(why);
    };
    stream.on('error', (e: unknown) => onEnd(engineMessage(e)));
    stream.on('end', () => onEnd('stream ended'));
    stream.on('close', () => onEnd('stream closed'));
    this.resync();
  }

  private reconnect(why: string): void {
    this.failures++;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** (this.failures - 1));
    this.logger.warn('docker events stream lost; reconnecting', { why, delayMs: delay });
    this.reconnectTimer = setTimeout(() => {
      this.connect().catch((e: unknown) => {
        if (!this.closed) this.reconnect(engineMessage(e));
      });
    }, delay);
  }

  private dispatch(line: string): void {
    if (line.trim() === '') return;
    let ev: EngineEvent;
    try {
      ev = JSON.parse(line) as EngineEvent;
    } catch {
      return;
    }
    if (typeof ev.time === 'number') this.sinceSec = ev.time;
    const id = ev.Actor?.ID ?? ev.id;
    if (id === undefined) return;
    for (const fn of [...(this.subscribers.get(id) ?? [])]) fn();
  }

  /** Everyone re-inspects: events may have been missed while disconnected. */
  private resync(): void {
    for (const set of this.subscribers.values()) for (const fn of [...set]) fn();
  }
}
