// A node's share of service networking, put together: the network table the
// dispatcher sends, this node's own tasks, the local routes, the DNS server
// on the cluster's DNS address, the listeners (VIPs, task addresses, ingress
// ports) and the mesh to other nodes. Everything is derived again from the
// table whenever it changes; whatever the kernel refuses (an address another
// node of this machine already serves) is retried every few seconds.

import { promises as fsp, readFileSync } from 'fs';
import { dirname } from 'path';
import type { NetUpdate } from '../api/net-table';
import type { Task, TaskStatus } from '../api/service-types';
import { addressAt, formatIpv4, parseCidr } from '../util/ipv4';
import { DnsServer } from './dns/server';
import { OwnTasks } from './local-tasks';
import { planListeners } from './listen-plan';
import { MeshClient, MeshServer } from './mesh';
import { Peers } from './peers';
import { createDialer, ProxySet } from './proxy';
import { lookupWithSearch } from './resolver';
import { hostsFileText, serviceEnv } from './process-view';
import { RESOLV_CONF, searchDomainsFromResolvConf } from './dns/upstreams';
import { LocalRoutes } from './routes';
import { ServedMemory } from './served-memory';
import { NetIndex, NetTable } from './table';

export interface NodeNetworkLogger {
  warn(msg: string): void;
  info?(msg: string): void;
}

export interface NodeNetworkOptions {
  nodeId: string;
  clusterId: string;
  hostKey: string;
  /** Where ingress ports open (--publish-addr); default 0.0.0.0. */
  publishAddr?: string;
  credentials: { keyPem: string; certPem: string; caCertPem: string };
  /** The process runtime's tasks are host processes: they are dialed on the host's loopback. */
  runtime: 'docker' | 'process';
  /** A hosts file kept current with the services' addresses (for process tasks, which our DNS does not reach). */
  hostsFile?: string;
  logger: NodeNetworkLogger;
}

/** How long a peer the node does not know yet is given to appear (a task that has just started). */
const UNKNOWN_PEER_WAIT_MS = 1_000;
/** Routes re-applied, DNS and listeners retried this often. */
const REFRESH_MS = 5_000;
const RECONCILE_DELAY_MS = 20;
/** How long the first assignment waits for the first table (an old manager sends none). */
const FIRST_TABLE_WAIT_MS = 3_000;

export class NodeNetwork {
  readonly table: NetTable;
  readonly own = new OwnTasks();
  readonly mesh: MeshClient;
  /** The node server's /mesh route: tunnels from other nodes to this node's tasks. */
  readonly meshRoute: MeshServer;
  private readonly peers: Peers;
  private readonly routes: LocalRoutes;
  private readonly proxies: ProxySet;
  private readonly publishAddr: string;
  private readonly servedMemory = new ServedMemory();
  private dns: DnsServer | undefined;
  private dnsStarting = false;
  private dnsWarned = false;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private passes: Promise<void> = Promise.resolve();
  private refreshTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private firstTable: Promise<void>;
  private hostsText = '';
  /** The host's search domains: containers get them from the engine and ask NAME.DOMAIN first. */
  private readonly searchDomains: string[];

  constructor(private readonly o: NodeNetworkOptions) {
    this.table = new NetTable(o.hostKey);
    this.searchDomains = readSearchDomains();
    this.peers = new Peers(this.table, this.own);
    this.routes = new LocalRoutes(o.logger);
    this.publishAddr = o.publishAddr ?? '0.0.0.0';
    this.mesh = new MeshClient({ credentials: o.credentials, clusterId: o.clusterId, logger: o.logger });
    this.meshRoute = new MeshServer({ resolveLocal: (taskId) => this.localAddr(taskId), logger: o.logger });
    const dialer = createDialer({
      selfNodeId: o.nodeId,
      localAddr: (taskId) => this.localAddr(taskId),
      nodeAddr: (nodeId) => this.table.current.data.nodes.get(nodeId)?.addr,
      mesh: this.mesh,
    });
    this.proxies = new ProxySet({ dialer, logger: o.logger });
    this.firstTable = new Promise((resolve) => {
      const off = this.table.onChange(() => {
        off();
        resolve();
      });
      setTimeout(resolve, FIRST_TABLE_WAIT_MS).unref();
    });
    this.table.onChange(() => this.soon());
    this.own.onChange(() => this.soon());
  }

  start(): void {
    this.refreshTimer = setInterval(() => void this.reconcile(true), REFRESH_MS);
    this.refreshTimer.unref();
  }

  /** Resolves once the first table arrived (or a few seconds passed): containers need the DNS address. */
  ready(): Promise<void> {
    return this.firstTable;
  }

  onNetUpdate(u: NetUpdate): void {
    this.table.apply(u);
  }

  onAssignments(tasks: readonly Task[]): void {
    this.own.assign(tasks);
  }

  onStatus(taskId: string, status: TaskStatus): void {
    this.own.status(taskId, status);
  }

  /** The cluster's DNS address: the second address of the ingress network's subnet. */
  dnsAddress(): string | undefined {
    const ingress = [...this.table.current.data.networks.values()].find((n) => n.ingress);
    return ingress ? formatIpv4(addressAt(parseCidr(ingress.subnet), 2)) : undefined;
  }

  /** DNS servers for new containers; none while this node cannot serve names (no routes). */
  containerDns(): string[] | undefined {
    const addr = this.dnsAddress();
    return addr !== undefined && this.routes.available ? [addr] : undefined;
  }

  /** A process task's view of the services it may call (its networks' services, by name and alias). */
  processEnv(task: Task): Record<string, string> {
    const env = serviceEnv(this.table.current, (task.networks ?? []).map((a) => a.networkId));
    if (this.o.hostsFile) env.SWARM_HOSTS_FILE = this.o.hostsFile;
    return env;
  }

  async stop(opts: { leaving?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await this.passes;
    await this.proxies.close().catch(() => undefined);
    this.meshRoute.close();
    await this.dns?.close().catch(() => undefined);
    this.dns = undefined;
    await this.mesh.close().catch(() => undefined);
    // Leaving: the routes go too (the other nodes of the machine put back what they need).
    if (opts.leaving) await this.routes.clear();
  }

  private localAddr(taskId: string): string | undefined {
    if (!this.own.has(taskId)) return undefined;
    // Process tasks share the host's network: they serve on its loopback.
    return this.o.runtime === 'process' ? '127.0.0.1' : this.own.addrOf(taskId);
  }

  private soon(): void {
    if (this.stopped || this.reconcileTimer) return;
    this.reconcileTimer = setTimeout(() => {
      this.reconcileTimer = undefined;
      void this.reconcile(false);
    }, RECONCILE_DELAY_MS);
  }

  /** One at a time (routes, DNS and listeners are changed in steps); a pass asked for meanwhile runs after. */
  private reconcile(refresh: boolean): Promise<void> {
    const run = this.passes.then(() => this.pass(refresh));
    this.passes = run.catch((e: unknown) => this.o.logger.warn(`networking: ${e instanceof Error ? e.message : String(e)}`));
    return this.passes;
  }

  private async pass(refresh: boolean): Promise<void> {
    if (this.stopped || !this.table.ready) return;
    const index = this.table.current;
    const subnets = [...index.data.networks.values()].map((n) => n.subnet);
    const routed = await this.routes.sync(subnets, refresh);
    if (this.stopped) return;
    if (!routed) {
      this.proxies.reconcile(this.ingressOnly(index));
      return;
    }
    await this.ensureDns();
    this.servedMemory.update(index);
    this.proxies.reconcile(
      planListeners(index, {
        publishAddr: this.publishAddr,
        current: () => this.table.current,
        identify: (addr) => this.peers.identifyWait(addr, UNKNOWN_PEER_WAIT_MS),
        servedBefore: (serviceId) => this.servedMemory.servedBy(serviceId),
      }),
    );
    await this.writeHosts(index);
  }

  /** Without routes there are no service addresses, but published ports still work. */
  private ingressOnly(index: NetIndex) {
    return planListeners(index, {
      publishAddr: this.publishAddr,
      current: () => this.table.current,
      identify: (addr) => this.peers.identifyWait(addr, UNKNOWN_PEER_WAIT_MS),
    }).filter((s) => s.key.startsWith('ingress|'));
  }

  private async ensureDns(): Promise<void> {
    const addr = this.dnsAddress();
    if (this.dns && this.dns.address !== addr) {
      await this.dns.close().catch(() => undefined);
      this.dns = undefined;
    }
    if (this.dns || this.dnsStarting || addr === undefined) return;
    this.dnsStarting = true;
    try {
      this.dns = await DnsServer.start({
        address: addr,
        lookup: async (peerAddr, name) => {
          const peer = await this.peers.identifyWait(peerAddr, UNKNOWN_PEER_WAIT_MS);
          return lookupWithSearch(this.table.current, peer, name, this.searchDomains);
        },
        logger: this.o.logger,
      });
      this.o.logger.info?.(`networking: DNS for this machine's containers on ${addr}:53`);
      this.dnsWarned = false;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Another node of this machine serves it (only one process can): it answers our containers too.
      if (code !== 'EADDRINUSE' && !this.dnsWarned) {
        this.dnsWarned = true;
        this.o.logger.warn(`networking: cannot serve DNS on ${addr}:53 (will retry): ${e instanceof Error ? e.message : String(e)}`);
      }
    } finally {
      this.dnsStarting = false;
    }
    if (this.stopped && this.dns) await this.dns.close().catch(() => undefined);
  }

  private async writeHosts(index: NetIndex): Promise<void> {
    const file = this.o.hostsFile;
    if (!file) return;
    const text = hostsFileText(index);
    if (text === this.hostsText) return;
    this.hostsText = text;
    await fsp.mkdir(dirname(file), { recursive: true });
    await fsp.writeFile(`${file}.tmp`, text);
    await fsp.rename(`${file}.tmp`, file);
  }
}

function readSearchDomains(): string[] {
  try {
    return searchDomainsFromResolvConf(readFileSync(RESOLV_CONF, 'utf8'));
  } catch {
    return [];
  }
}

