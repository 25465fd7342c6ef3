// A tiny replicated key-value map: the state machine of the demo, the
// multi-process test and the benchmark. Commands are `key=value` in UTF-8.

import { StateMachine } from '../node/raft-node';

export class KvMachine implements StateMachine {
  readonly map = new Map<string, string>();
  appliedCount = 0;

  apply(e: { data: Uint8Array }): void {
    this.appliedCount++;
    const s = Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength).toString('utf8');
    const eq = s.indexOf('=');
    if (eq < 0) return; // opaque payloads (benchmark filler) are counted, not stored
    this.map.set(s.slice(0, eq), s.slice(eq + 1));
  }

  snapshot(): Uint8Array {
    return Buffer.from(JSON.stringify({ n: this.appliedCount, kv: [...this.map] }));
  }

  restore(data: Uint8Array): void {
    const s = JSON.parse(Buffer.from(data).toString('utf8')) as { n: number; kv: [string, string][] };
    this.appliedCount = s.n;
    this.map.clear();
    for (const [k, v] of s.kv) this.map.set(k, v);
  }
}

export function kvCommand(key: string, value: string): Uint8Array {
  if (key.includes('=')) throw new Error(`key ${JSON.stringify(key)} must not contain '='`);
  return Buffer.from(`${key}=${value}`, 'utf8');
}
