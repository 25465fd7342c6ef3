// A big store snapshots and restores in bounded slices, with the same bytes as
// the one-step path. Slices are counted (not timed) through an injected pause.

import { canonicalJson } from '../../../lib/manager/store/canonical-json';
import { MemoryStore } from '../../../lib/manager/store/memory-store';
import { SNAPSHOT_FORMAT_LINES_V2 } from '../../../lib/manager/store/snapshot';
import { task } from './fixtures';

const N = 60_000;
const SMALL = 5_000;
const SLICE = 2000;
const CHUNK = 256 * 1024;

/** A format-2 snapshot of N tasks, written by hand (ids in shuffled creation order would not matter: they are sorted on output). */
function bigSnapshot(n: number): Uint8Array {
  const lines = [canonicalJson({ appliedIndex: 7, counts: { cluster: 0, config: 0, network: 0, node: 0, secret: 0, service: 0, task: n }, format: 2 })];
  for (let i = 0; i < n; i++) {
    const id = `t${String(i).padStart(7, '0')}`;
    lines.push(canonicalJson({ ...task(id, `s${i % 50}`, `n${i % 1000}`, i + 1), meta: { version: 1, createdAt: 'a', updatedAt: 'a' } }));
  }
  return Buffer.concat([Uint8Array.of(SNAPSHOT_FORMAT_LINES_V2), Buffer.from(lines.join('\n') + '\n', 'utf8')]);
}

describe('snapshots of a big store, in slices', () => {
  const data = bigSnapshot(N);

  test(`${N} tasks: restore and snapshot pause every ${SLICE} objects, chunks stay bounded, bytes round-trip`, async () => {
    const store = new MemoryStore();
    let restorePauses = 0;
    await store.restoreInSlices(data, { sliceObjects: SLICE }, async () => {
      restorePauses++;
      // Nothing is swapped in before the end: the store still looks empty mid-way.
      expect(store.appliedIndex).toBe(0);
    }, 0);
    expect(store.appliedIndex).toBe(7);
    expect(store.tasksByNode('n5').length).toBe(N / 1000);
    expect(restorePauses).toBeGreaterThanOrEqual(N / SLICE - 1);

    let pauses = 0;
    let writesDuring = 0;
    const chunks = await store.snapshotChunks({ sliceObjects: SLICE, chunkBytes: CHUNK }, async () => {
      pauses++;
      if (pauses === 3) {
        // A write landing while the snapshot is built must not show up in it.
        store.restore(new MemoryStore().snapshot());
        writesDuring++;
      }
    }, 0);
    expect(writesDuring).toBe(1);
    // Sorting (runs + merge passes) and serializing each pause every SLICE objects.
    expect(pauses).toBeGreaterThanOrEqual((2 * N) / SLICE);
    const biggestTask = 1000;
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(CHUNK + biggestTask);
    expect(chunks.length).toBeGreaterThan(data.length / CHUNK);
    expect(Buffer.concat(chunks).equals(Buffer.from(data))).toBe(true);
  });

  test('the bytes do not depend on slice or chunk size', async () => {
    const small = bigSnapshot(SMALL);
    const store = new MemoryStore();
    store.restore(small);
    const a = Buffer.concat(await store.snapshotChunks({ sliceObjects: 7, chunkBytes: 4096 }, async () => undefined, 0));
    const b = Buffer.from(store.snapshot());
    expect(a.equals(b)).toBe(true);
    expect(a.equals(Buffer.from(small))).toBe(true);
  });
});
