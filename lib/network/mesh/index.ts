// lib/network/mesh: node-to-node tunnels over the nodes' TLS ports (HTTP/2).

export { MeshClient } from './client';
export type { MeshClientOptions, MeshClientStats, MeshCredentials } from './client';
export { MeshServer } from './server';
export type { MeshServerOptions, MeshServerStats } from './server';
export { HEADER_PORT, HEADER_TASK, MESH_TCP_PATH, MESH_UDP_PATH } from './protocol';
