// Resident memory of a process from /proc (Linux): what the kernel holds for
// it, heap, code and buffers together, as `ps` and the OOM killer count it.

import { readFileSync } from 'fs';

/** VmRSS of `pid` in MiB, undefined if the process is gone (or this is not Linux). */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the peak of each process seen at every sample. */
export class PeakRss {
  readonly peak = new Map<number, number>();

  sample(pids: Iterable<number>): void {
    for (const pid of pids) {
      const mb = rssMiB(pid);
      if (mb !== undefined && mb > (this.peak.get(pid) ?? 0)) this.peak.set(pid, mb);
    }
  }
}
