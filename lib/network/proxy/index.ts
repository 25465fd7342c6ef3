// lib/network/proxy: the node's listeners (VIPs, task addresses, published
// ports) and the dialer that reaches a task directly or through the mesh.

export { createDialer } from './dialer';
export type { DialerOptions, MeshDialer } from './dialer';
export { ProxySet } from './proxy-set';
export type { ProxySetOptions, ProxySetStats } from './proxy-set';
export type { ListenerStats } from './listener';
export type { Backend, DatagramChannel, Dialer, ListenerSpec, ProxyLogger } from './types';
export { dialError, errorCode } from '../dial-error';
export type { DialError, DialErrorCode } from '../dial-error';
