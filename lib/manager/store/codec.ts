// Raft entry bytes <-> Transaction. A leading format byte lets a later version
// change the encoding while old entries in the log stay readable. Decoding never
// throws: a malformed entry is already committed on every manager, so each of
// them must skip it the same way rather than crash.

import { ParsedTransaction, Transaction, parseTransaction } from './transaction';

export const TX_FORMAT_JSON_V1 = 1;

export function encodeTransaction(tx: Transaction): Uint8Array {
  const json = Buffer.from(JSON.stringify(tx), 'utf8');
  const out = new Uint8Array(json.length + 1);
  out[0] = TX_FORMAT_JSON_V1;
  out.set(json, 1);
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeTransaction(data: Uint8Array): ParsedTransaction {
  if (data.length === 0) return { ok: false, message: 'malformed entry: empty' };
  if (data[0] !== TX_FORMAT_JSON_V1) {
    return { ok: false, message: `malformed entry: unknown format byte ${data[0]} (this manager reads format ${TX_FORMAT_JSON_V1})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(data.subarray(1)));
  } catch (e) {
    return { ok: false, message: `malformed entry: ${(e as Error).message}` };
  }
  const parsed = parseTransaction(value);
  return parsed.ok ? parsed : { ...parsed, message: `malformed entry: ${parsed.message}` };
}
