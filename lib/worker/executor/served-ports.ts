// The ports a task serves, as a VIP should forward them: what its image
// EXPOSEs, and the sockets its process listens on. Listening sockets are read
// from /proc/PID/net/{tcp,tcp6,udp,udp6}, which show the task's own network
// namespace; sockets bound to the container's loopback are left out (nobody
// outside could reach them anyway).

import { promises as fsp } from 'fs';
import type { ServedPort } from '../../api/network-types';

const TCP_LISTEN = '0A';
/** udp sockets show state 07 (CLOSE) when bound but not connected: a server. */
const UDP_UNCONNECTED = '07';

/** A task reports at most this many (the dispatcher protocol's bound). */
export const MAX_SERVED = 64;

function isLoopback(hexAddr: string): boolean {
  if (hexAddr.length === 8) return hexAddr.endsWith('7F'); // 127.x.x.x, little-endian
  return hexAddr === '00000000000000000000000001000000'; // ::1
}

/** Parses one /proc/net/{tcp,udp}{,6} table. */
export function parseProcNet(text: string, protocol: 'tcp' | 'udp'): ServedPort[] {
  const out: ServedPort[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const [addr, portHex] = f[1].split(':');
    const state = f[3];
    if (protocol === 'tcp' ? state !== TCP_LISTEN : state !== UDP_UNCONNECTED) continue;
    if (protocol === 'udp' && !/^0+:0000$/.test(f[2])) continue;
    if (addr === undefined || portHex === undefined || isLoopback(addr)) continue;
    const port = parseInt(portHex, 16);
    if (port > 0) out.push({ protocol, port });
  }
  return out;
}

/** docker's ExposedPorts keys ("80/tcp", "53/udp"). */
export function exposedPorts(exposed: Record<string, unknown> | null | undefined): ServedPort[] {
  const out: ServedPort[] = [];
  for (const key of Object.keys(exposed ?? {})) {
    const m = /^(\d+)\/(tcp|udp)$/.exec(key);
    if (m) out.push({ protocol: m[2] as 'tcp' | 'udp', port: Number(m[1]) });
  }
  return out;
}

export function mergeServed(...lists: readonly (readonly ServedPort[])[]): ServedPort[] {
  const seen = new Map<string, ServedPort>();
  for (const l of lists) for (const p of l) seen.set(`${p.port}/${p.protocol}`, p);
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol)).slice(0, MAX_SERVED);
}

/** The sockets the process `pid` listens on (its namespace's tables); empty when /proc cannot tell. */
export async function listeningPorts(pid: number): Promise<ServedPort[]> {
  const read = async (file: string, protocol: 'tcp' | 'udp') => {
    try {
      return parseProcNet(await fsp.readFile(`/proc/${pid}/net/${file}`, 'utf8'), protocol);
    } catch {
      // The task exited, or the engine runs elsewhere (its pids are not ours to read).
      return [];
    }
  };
  return mergeServed(await read('tcp', 'tcp'), await read('tcp6', 'tcp'), await read('udp', 'udp'), await read('udp6', 'udp'));
}

export function sameServed(a: readonly ServedPort[] | undefined, b: readonly ServedPort[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((p, i) => p.port === y[i].port && p.protocol === y[i].protocol);
}
