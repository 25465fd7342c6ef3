// CRC-32 (IEEE, the zlib polynomial) for WAL records and snapshot files.
// Node >= 20.15 ships zlib.crc32, which runs at memory speed; older Node 20
// releases fall back to a table-driven version that computes the same value,
// so files stay readable whichever runtime wrote them.

import * as zlib from 'zlib';

type Crc32 = (data: Uint8Array, seed: number) => number;

function tableCrc32(): Crc32 {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (data, seed) => {
    let c = (seed ^ 0xffffffff) >>> 0;
    for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
}

// The typings declare crc32 on every Node 20, but it is absent before 20.15.
const native = (zlib as { crc32?: Crc32 }).crc32;

/**
 * CRC of `data` continuing from `seed` (the CRC of everything before it, 0 to
 * start), so crc32(b, crc32(a, 0)) === crc32(a ++ b, 0).
 */
export const crc32: Crc32 = typeof native === 'function' ? (data, seed) => native(data, seed) : tableCrc32();

/** Exposed so tests can check the fallback agrees with zlib. */
export const crc32Portable: Crc32 = tableCrc32();
