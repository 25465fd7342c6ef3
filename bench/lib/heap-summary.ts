// Where a daemon's heap went, from a V8 .heapsnapshot (written on SIGUSR2 by
// a daemon started with --heapsnapshot-signal): self sizes summed by node type
// and constructor name. Self sizes, not retained ones: cheap to compute and
// enough to see which kind of object fills the heap.

import { readFileSync } from 'fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapSummary {
  totalBytes: number;
  top: { what: string; bytes: number; count: number }[];
}

export function summarizeHeap(file: string, topN = 20): HeapSummary {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const by = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt]];
    const size = s.nodes[i + sizeAt];
    // Strings, numbers and code are grouped by type: their "names" are their contents.
    const what = type === 'object' || type === 'closure' || type === 'native' ? `${type} ${s.strings[s.nodes[i + nameAt]].slice(0, 60)}` : type;
    const e = by.get(what) ?? { bytes: 0, count: 0 };
    e.bytes += size;
    e.count++;
    by.set(what, e);
    total += size;
  }
  const top = [...by.entries()].map(([what, e]) => ({ what, ...e })).sort((a, b) => b.bytes - a.bytes).slice(0, topN);
  return { totalBytes: total, top };
}

export function heapText(title: string, h: HeapSummary): string {
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  const lines = [`${title}: ${mb(h.totalBytes)} MiB of objects by self size`];
  for (const e of h.top) lines.push(`  ${mb(e.bytes).padStart(8)} MiB ${String(e.count).padStart(9)}  ${e.what}`);
  return lines.join('\n');
}
