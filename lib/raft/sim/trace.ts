// The run's fingerprint: every event folds into one hash, so two runs of a
// seed can be compared in O(1) (determinism test), and with --verbose every
// event is also printed.

import { Message, MessageType } from '../core/types';
import { Hasher } from './hash';

export class Trace {
  private readonly h = new Hasher('swarm-raft-sim');
  events = 0;

  constructor(private readonly sink?: (line: string) => void) {}

  get verbose(): boolean {
    return this.sink !== undefined;
  }

  /** Folds an event into the hash; `describe` is only called when printing. */
  note(time: number, code: number, a: number, b: number, describe?: () => string): void {
    this.events++;
    this.h.num(time).num(code).num(a).num(b);
    if (this.sink && describe) this.sink(`${String(time).padStart(7)} ${describe()}`);
  }

  message(time: number, code: number, m: Message, what: string): void {
    this.events++;
    this.h.num(time).num(code).num(m.type).num(m.from).num(m.to).num(m.term).num(m.index).num(m.logTerm);
    this.h.num(m.commit).num(m.entries.length).num(m.reject ? 1 : 0);
    if (this.sink) this.sink(`${String(time).padStart(7)} ${what} ${describeMessage(m)}`);
  }

  /** Prints a line (not hashed); pass a function when building it costs something. */
  log(time: number, line: string | (() => string)): void {
    if (this.sink) this.sink(`${String(time).padStart(7)} ${typeof line === 'string' ? line : line()}`);
  }

  digest(): string {
    return this.h.hex();
  }
}

export function describeMessage(m: Message): string {
  let s = `${MessageType[m.type]} ${m.from}->${m.to} t${m.term}`;
  if (m.type === MessageType.App || m.type === MessageType.AppResp || m.type === MessageType.Vote || m.type === MessageType.PreVote) {
    s += ` i${m.index} lt${m.logTerm}`;
  }
  if (m.entries.length > 0) s += ` n${m.entries.length}`;
  if (m.commit > 0) s += ` c${m.commit}`;
  if (m.reject) s += ` reject(hint ${m.rejectHint})`;
  if (m.snapshot) s += ` snap@${m.snapshot.metadata.index}`;
  return s;
}
