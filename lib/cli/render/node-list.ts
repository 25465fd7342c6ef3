// `swarm node ls` output, laid out as `docker node ls` prints it.

import { renderJsonLines } from '../table';
import { prettyPrint } from './docker-text';
import { naturalCompare } from './natural-order';
import { managerStatusOf, type ManagerView, type StoredNode } from './node-status';
import { renderDockerTable } from './tabwriter';

export type TlsStatus = 'Ready' | 'Needs Rotation' | 'Unknown';

export interface NodeListOptions extends ManagerView {
  /** The id of the node the command runs against; its row gets docker's " *". */
  selfId?: string;
  quiet?: boolean;
  format?: 'table' | 'json';
  /**
   * Accepted so every listing takes the same flags; ids are never cut, because
   * `docker node ls` prints the full 25-character id too.
   */
  noTrunc?: boolean;
  /** Nodes carry no TLS details yet; without this docker's answer for that case, "Unknown", is used. */
  tlsStatus?: (node: StoredNode) => TlsStatus;
}

/** docker's `--format json` keys for a node, in the order Go's map encoding emits them. */
export interface NodeListJson {
  Availability: string;
  EngineVersion: string;
  Hostname: string;
  ID: string;
  ManagerStatus: string;
  Self: boolean;
  Status: string;
  TLSStatus: TlsStatus;
}

const HEADERS = ['ID', 'HOSTNAME', 'STATUS', 'AVAILABILITY', 'MANAGER STATUS', 'ENGINE VERSION'];

/** By hostname in natural order like docker; the id breaks ties so equal hostnames list the same way every time. */
export function sortNodesLikeDocker(nodes: readonly StoredNode[]): StoredNode[] {
  return [...nodes].sort(
    (a, b) => naturalCompare(a.description?.hostname ?? '', b.description?.hostname ?? '') || naturalCompare(a.id, b.id),
  );
}

export function nodeListJson(node: StoredNode, options: NodeListOptions): NodeListJson {
  const manager = managerStatusOf(node, options);
  return {
    Availability: prettyPrint(node.spec.availability),
    EngineVersion: node.description?.engine?.version ?? '',
    Hostname: node.description?.hostname ?? '',
    ID: node.id,
    ManagerStatus: manager ? (manager.leader ? 'Leader' : prettyPrint(manager.reachability)) : '',
    Self: options.selfId !== undefined && node.id === options.selfId,
    Status: prettyPrint(node.status.state),
    TLSStatus: options.tlsStatus?.(node) ?? 'Unknown',
  };
}

/**
 * The whole output of `node ls`, ending in a newline when not empty.
 * As in docker, `quiet` only shortens the table: with `format: 'json'` it is ignored.
 */
export function renderNodeList(nodes: readonly StoredNode[], options: NodeListOptions = {}): string {
  const rows = sortNodesLikeDocker(nodes).map((n) => nodeListJson(n, options));
  if (options.format === 'json') return renderJsonLines(rows);
  if (options.quiet) return rows.map((r) => `${r.ID}\n`).join('');
  return renderDockerTable(
    // docker's ID column is "{{.ID}} " followed by "*" or " ", so the header and other rows carry the same two characters.
    HEADERS.map((h, i) => (i === 0 ? `${h}  ` : h)),
    rows.map((r) => [
      `${r.ID} ${r.Self ? '*' : ' '}`,
      r.Hostname,
      r.Status,
      r.Availability,
      r.ManagerStatus,
      r.EngineVersion,
    ]),
  );
}
