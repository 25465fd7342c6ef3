export * from './transport';
export { WsTransport } from './ws-transport';
export type { WsTransportOptions, PeerIdentity, TransportLogger } from './ws-options';
export type { TransportTlsOptions } from './tls-options';
export { LocalNetwork, LocalTransport } from './local-transport';
export type { LocalNetworkOptions, LocalTransportOptions } from './local-transport';
export { CloseCode, PROTOCOL, PROTOCOL_VERSION } from './frames';
export type { BackoffOptions } from '../../util/backoff';
