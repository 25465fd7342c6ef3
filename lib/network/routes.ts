// The kernel's part: a local route per subnet the node serves (`ip route add
// local SUBNET dev lo`, the kernel's AnyIP), so a listener can bind any address
// in it and containers reach those addresses through their bridge's gateway.
// Nodes that share a machine add the same routes; "already there" is fine,
// and a route is taken away only when no node of the machine needs it (the
// table says so: every node of a machine holds the same table). A node that
// stops leaves its routes for the others; leaving the swarm removes them, and
// the others put back what they need at their next refresh.

import { execFile } from 'child_process';

export interface RoutesLogger {
  warn(msg: string): void;
  info?(msg: string): void;
}

/** Runs `ip -force -batch -` with these lines. */
export type IpRunner = (lines: readonly string[]) => Promise<{ ok: boolean; stderr: string; missing?: boolean }>;

export const runIp: IpRunner = (lines) =>
  new Promise((resolve) => {
    const child = execFile('ip', ['-force', '-batch', '-'], { timeout: 10_000 }, (err, _stdout, stderr) => {
      resolve({ ok: !err, stderr: String(stderr), missing: (err as NodeJS.ErrnoException | null)?.code === 'ENOENT' });
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(`${lines.join('\n')}\n`);
  });

export class LocalRoutes {
  private readonly present = new Set<string>();
  /** Set once the kernel refused for lack of privilege: said once, not tried again. */
  private denied = false;

  constructor(
    private readonly log: RoutesLogger,
    private readonly ip: IpRunner = runIp,
  ) {}

  get available(): boolean {
    return !this.denied;
  }

  /**
   * Makes the set of routed subnets this one (`refresh`: re-adds the present
   * ones too, in case a node of the machine that left took them); returns
   * false when the node may not change routes.
   */
  async sync(subnets: readonly string[], refresh = false): Promise<boolean> {
    if (this.denied) return false;
    const want = new Set(subnets);
    const add = [...want].filter((s) => refresh || !this.present.has(s));
    const del = [...this.present].filter((s) => !want.has(s));
    if (add.length === 0 && del.length === 0) return true;
    const r = await this.ip([
      ...add.map((s) => `route replace local ${s} dev lo table local`),
      ...del.map((s) => `route del local ${s} dev lo table local`),
    ]);
    if (/Operation not permitted|RTNETLINK answers: Permission denied/i.test(r.stderr)) {
      this.denied = true;
      this.log.warn('networking: this node may not add routes (it needs CAP_NET_ADMIN): services run, but without virtual IPs, DNS names or the routing mesh here');
      return false;
    }
    if (r.missing) {
      this.denied = true;
      this.log.warn("networking: the 'ip' command (iproute2) is missing: services run, but without virtual IPs, DNS names or the routing mesh here");
      return false;
    }
    // -force: a route another node of the machine removed or added first is not an error here.
    for (const s of add) this.present.add(s);
    for (const s of del) this.present.delete(s);
    return true;
  }

  /** Removes every route this node added (leaving the swarm). */
  async clear(): Promise<void> {
    await this.sync([]);
  }
}
