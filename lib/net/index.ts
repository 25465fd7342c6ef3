// lib/net: a node's one TLS port, routed by path, and the join protocol spoken on it.

export { DEFAULT_LISTEN_ADDR, DEFAULT_PORT, formatHostPort, parseHostPort } from './address';
export type { HostPort } from './address';
export { JoinRefused, ROUTES } from './join-protocol';
export type { JoinRequest, JoinResponse, ManagerInfo } from './join-protocol';
export { NodeServer } from './node-server';
export type {
  DispatcherRoute,
  JoinHandler,
  MeshRoute,
  NodeCredentials,
  NodeRoutes,
  NodeServerLogger,
  NodeServerOptions,
  NodeServerStats,
  RaftUpgradeTarget,
} from './node-server';
export { JoinError, joinCluster } from './join-client';
export type { JoinClusterOptions, JoinErrorCode, JoinedNode } from './join-client';
