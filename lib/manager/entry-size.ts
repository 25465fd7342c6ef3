// How big one Raft entry (one store transaction) may be, and how a long list
// of actions is cut into transactions under that bound.
//
// The Raft transport refuses messages above maxMessageBytes (128 MiB) and
// drops them with a log line only: an entry above it is appended on the
// leader yet never reaches a follower, so it never commits, and every later
// entry waits behind it, a stalled log with no error to the writer. The
// bound here is far below that, for three reasons:
//   - an AppendEntries message or a forwarded proposal carries the entry
//     plus an envelope (term, index, request id: tens of bytes), and the
//     leader batches entries up to maxSizePerMsg (1 MiB) besides one entry
//     that is larger on its own; 2 MiB leaves the transport 64 times the room;
//   - every manager parses, checks and freezes an entry on its event loop in
//     one go, about 110 ms per MiB of task creates on the 2-core test machine
//     (8 MiB took 800-900 ms, most of the 1 s election timeout; 2 MiB takes
//     about 220 ms), so a follower busy applying still answers heartbeats;
//   - swarmkit bounds a transaction at 1.5 MiB under gRPC's 128 MiB. A task
//     of a small service is about 620 bytes, so 2 MiB holds some 3,300 task
//     creates: a 100,000-replica service is about 30 entries.

import { Action } from './store/transaction';

export const DEFAULT_MAX_ENTRY_BYTES = 2 * 1024 * 1024;

/** The transaction wrapper around the actions: {"at":"<ISO time>","actions":[...]} and the format byte. */
const TX_OVERHEAD = 64;

export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}

/**
 * Cuts `actions` in order into lists whose encoded transaction stays within
 * maxBytes. An action too big on its own gets a list of its own, which the
 * write then refuses with a clear error rather than a stalled log.
 */
export function chunkActions(actions: readonly Action[], maxBytes: number, maxActions = Infinity): Action[][] {
  const out: Action[][] = [];
  let current: Action[] = [];
  let size = TX_OVERHEAD;
  for (const a of actions) {
    // One byte more for the comma between actions.
    const bytes = Buffer.byteLength(JSON.stringify(a), 'utf8') + 1;
    if (current.length > 0 && (size + bytes > maxBytes || current.length >= maxActions)) {
      out.push(current);
      current = [];
      size = TX_OVERHEAD;
    }
    current.push(a);
    size += bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}
