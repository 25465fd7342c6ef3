// `swarm node inspect`: docker's JSON shape for a node, or its --pretty text.

import { goIndentedJson, sortedMap } from './go-json';
import { goTimeString, prettyPrint } from './docker-text';
import { managerStatusOf, type ManagerView, type StoredNode } from './node-status';
import { bytesSize, cpuCount } from './units';

export interface NodeInspectOptions extends ManagerView {
  pretty?: boolean;
}

/**
 * A node in the Engine API's shape (moby api/types/swarm.Node), keys in the
 * order docker prints them. Fields docker leaves out when empty are left out
 * here too; nested objects docker always prints (Platform, Resources, Engine,
 * Status) are always present. Our nodes have no TLS details, so no TLSInfo.
 */
export interface NodeInspectJson {
  ID: string;
  Version: { Index?: number };
  CreatedAt: string;
  UpdatedAt: string;
  Spec: { Name?: string; Labels: Record<string, string>; Role?: string; Availability?: string };
  Description: {
    Hostname?: string;
    Platform: { Architecture?: string; OS?: string };
    Resources: { NanoCPUs?: number; MemoryBytes?: number };
    Engine: { EngineVersion?: string; Labels?: Record<string, string> };
  };
  Status: { State?: string; Message?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string; Addr?: string };
}

/** Go's omitempty: zero values are left out. */
function omitEmpty<T extends object>(obj: T): T {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(obj) as [keyof T, T[keyof T]][]) {
    const empty =
      v === undefined || v === '' || v === 0 || v === false || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
    if (!empty) out[k] = v;
  }
  return out as T;
}

export function nodeInspectJson(node: StoredNode, view: ManagerView = {}): NodeInspectJson {
  const d = node.description;
  const manager = managerStatusOf(node, view);
  const json: NodeInspectJson = {
    ID: node.id,
    Version: omitEmpty({ Index: node.meta.version }),
    CreatedAt: node.meta.createdAt,
    UpdatedAt: node.meta.updatedAt,
    Spec: {
      ...omitEmpty({ Name: node.spec.name }),
      // docker's Annotations.Labels has no omitempty: an empty map prints as {}.
      Labels: sortedMap(node.spec.labels),
      ...omitEmpty({ Role: node.spec.desiredRole, Availability: node.spec.availability }),
    },
    Description: {
      ...omitEmpty({ Hostname: d?.hostname }),
      Platform: omitEmpty({ Architecture: d?.platform.arch, OS: d?.platform.os }),
      Resources: omitEmpty({ NanoCPUs: d?.resources.nanoCPUs, MemoryBytes: d?.resources.memoryBytes }),
      Engine: omitEmpty({
        EngineVersion: d?.engine?.version,
        Labels: d?.engine ? sortedMap(d.engine.labels) : undefined,
      }),
    },
    Status: omitEmpty({ State: node.status.state, Message: node.status.message, Addr: node.status.addr }),
  };
  if (manager) {
    json.ManagerStatus = omitEmpty({ Leader: manager.leader, Reachability: manager.reachability, Addr: manager.addr });
  }
  return json;
}

/** " - key=value" lines in key order (Go templates range over maps sorted); a bare key when the value is empty. */
function labelLines(labels: Readonly<Record<string, string>>): string[] {
  return Object.keys(labels)
    .sort()
    .map((k) => ` - ${k}${labels[k] ? `=${labels[k]}` : ''}`);
}

/**
 * docker's --pretty template, tabs included: docker writes them raw and the
 * terminal's 8-column stops line the values up at column 24.
 */
export function nodePrettyText(node: StoredNode, view: ManagerView = {}): string {
  const d = node.description;
  const manager = managerStatusOf(node, view);
  const lines = [`ID:\t\t\t${node.id}`];
  if (node.spec.name) lines.push(`Name:\t\t\t${node.spec.name}`);
  if (Object.keys(node.spec.labels).length > 0) lines.push('Labels:', ...labelLines(node.spec.labels));
  lines.push(
    `Hostname:              \t${d?.hostname ?? ''}`,
    `Joined at:             \t${prettyPrint(goTimeString(node.meta.createdAt))}`,
    'Status:',
    ` State:\t\t\t${prettyPrint(node.status.state)}`,
  );
  if (node.status.message) lines.push(` Message:              \t${prettyPrint(node.status.message)}`);
  lines.push(` Availability:         \t${prettyPrint(node.spec.availability)}`);
  if (node.status.addr) lines.push(` Address:\t\t${node.status.addr}`);
  if (manager) {
    lines.push(
      'Manager Status:',
      ` Address:\t\t${manager.addr}`,
      ` Raft Status:\t\t${prettyPrint(manager.reachability)}`,
      ` Leader:\t\t${manager.leader ? 'Yes' : 'No'}`,
    );
  }
  const memory = d?.resources.memoryBytes ?? 0;
  lines.push(
    'Platform:',
    ` Operating System:\t${d?.platform.os ?? ''}`,
    ` Architecture:\t\t${d?.platform.arch ?? ''}`,
    'Resources:',
    ` CPUs:\t\t\t${cpuCount(d?.resources.nanoCPUs ?? 0)}`,
    ` Memory:\t\t${memory === 0 ? '' : bytesSize(memory)}`,
    `Engine Version:\t\t${d?.engine?.version ?? ''}`,
  );
  const engineLabels = d?.engine?.labels ?? {};
  if (Object.keys(engineLabels).length > 0) lines.push('Engine Labels:', ...labelLines(engineLabels));
  return lines.join('\n');
}

/**
 * The whole output of `node inspect`. JSON: one array for all nodes, "[]" when
 * none. Pretty: each node's block followed by a newline, blocks back to back
 * with no blank line between, exactly as docker writes them.
 */
export function renderNodeInspect(nodes: readonly StoredNode[], options: NodeInspectOptions = {}): string {
  if (options.pretty) return nodes.map((n) => `${nodePrettyText(n, options)}\n`).join('');
  if (nodes.length === 0) return '[]\n';
  return `${goIndentedJson(nodes.map((n) => nodeInspectJson(n, options)))}\n`;
}
