// Which nodes share one loopback: the kernel's boot id and the network
// namespace the process lives in. Nodes on one machine (tests, the demo) get
// the same key and so the same network table, because whichever of them
// binds a service address first serves the containers of all of them.

import { readFileSync, readlinkSync } from 'fs';
import { createHash } from 'crypto';
import { hostname } from 'os';

export function hostKey(): string {
  const parts: string[] = [];
  try {
    parts.push(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    parts.push(readlinkSync('/proc/self/ns/net'));
  } catch {
    // Not Linux: the hostname is the best guess of "the same machine".
    parts.push(hostname());
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}
