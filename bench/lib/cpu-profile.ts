// Where a daemon's CPU time went, from the .cpuprofile that `node --cpu-prof`
// writes at exit: the functions with the most time of their own (self), and
// the call-tree entries with the most time under them (inclusive), as shares
// of the busy time (everything but idle), so a bench can print the answer
// instead of leaving a file to open in DevTools.

import { readFileSync } from 'fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  name: string;
  ms: number;
  /** Share of the busy time, 0..1. */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  gcMs: number;
  self: ProfileEntry[];
  inclusive: ProfileEntry[];
}

/** "fn file:line", the file shortened to what follows dist/ or node_modules/. */
function frameName(f: CallFrame): string {
  const url = f.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '');
  const fn = f.functionName || '(anonymous)';
  return url === '' ? fn : `${fn} ${url}:${f.lineNumber + 1}`;
}

const NOT_WORK = new Set(['(idle)', '(root)']);

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let gc = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const us = p.timeDeltas[i] ?? 0;
    let id: number | undefined = p.samples[i];
    const leaf = byId.get(id);
    if (!leaf) continue;
    total += us;
    const leafName = frameName(leaf.callFrame);
    if (leafName === '(idle)') {
      idle += us;
      continue;
    }
    if (leafName === '(garbage collector)') gc += us;
    self.set(leafName, (self.get(leafName) ?? 0) + us);
    // A recursive function counts once per sample.
    const seen = new Set<string>();
    while (id !== undefined) {
      const n = byId.get(id);
      if (!n) break;
      const name = frameName(n.callFrame);
      if (!seen.has(name) && !NOT_WORK.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      }
      id = parent.get(id);
    }
  }
  const busy = total - idle;
  const list = (m: Map<string, number>): ProfileEntry[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: busy > 0 ? us / busy : 0 }));
  return { totalMs: Math.round(total / 1000), busyMs: Math.round(busy / 1000), gcMs: Math.round(gc / 1000), self: list(self), inclusive: list(inclusive) };
}

export function profileText(label: string, s: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `${label}: ${s.busyMs} ms busy of ${s.totalMs} ms profiled (${((s.busyMs / Math.max(1, s.totalMs)) * 100).toFixed(0)}%), GC ${s.gcMs} ms`,
    '  self time (share of busy):',
    ...s.self.map((e) => `    ${pct(e.share)} ${String(e.ms).padStart(6)} ms  ${e.name}`),
    '  inclusive (share of busy):',
    ...s.inclusive.map((e) => `    ${pct(e.share)} ${String(e.ms).padStart(6)} ms  ${e.name}`),
  ];
  return lines.join('\n');
}
