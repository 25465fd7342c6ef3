import { decodeConfChange } from '../../../lib/raft/codec';
import { MemoryStorage } from '../../../lib/raft/core/memory-storage';
import { RawNode } from '../../../lib/raft/core/rawnode';
import { EntryType, Ready } from '../../../lib/raft/core/types';

function storageOfNode(rn: RawNode): MemoryStorage {
  const s = rn.raft.raftLog.storage;
  if (!(s instanceof MemoryStorage)) throw new Error('test nodes must use MemoryStorage');
  return s;
}

/**
 * One turn of a minimal driver, following the Ready contract: persist the
 * snapshot, entries and hard state, (the caller sends the messages), apply
 * the committed entries, then advance. Returns the Ready it handled.
 */
export function handleReady(rn: RawNode): Ready {
  const rd = rn.ready();
  const st = storageOfNode(rn);
  if (rd.snapshot) st.applySnapshot(rd.snapshot);
  if (rd.entries.length > 0) st.append(rd.entries);
  if (rd.hardState) st.setHardState(rd.hardState);
  for (const e of rd.committedEntries) {
    if (e.type === EntryType.ConfChange) rn.applyConfChange(decodeConfChange(e.data));
  }
  rn.advance(rd);
  return rd;
}

/** Handles Readies until there is none left; returns them all. */
export function drain(rn: RawNode): Ready[] {
  const out: Ready[] = [];
  for (let i = 0; rn.hasReady(); i++) {
    if (i > 100) throw new Error('the node keeps producing Readies');
    out.push(handleReady(rn));
  }
  return out;
}
