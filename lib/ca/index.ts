// lib/ca: the cluster's root CA, join tokens and node certificates.

export { CertificateError, JoinTokenError } from './errors';
export { CA_NAME, DASHBOARD_OU, ROLE_OU } from './identity';
export { DASHBOARD_CERT_DAYS, signDashboardCertificate } from './dashboard-cert';
export type { SignDashboardCertificateOptions } from './dashboard-cert';
export type { NodeIdentity, NodeRole } from './identity';
export { CA_DIGEST_CHARS, caDigest } from './digest';
export { createRootCA } from './root-ca';
export type { CreateRootCAOptions, RootCA } from './root-ca';
export { SECRET_CHARS, generateJoinToken, generateJoinTokens, parseJoinToken, roleForJoinToken, tokenMatchesCA } from './join-token';
export type { JoinTokens, ParsedJoinToken } from './join-token';
export { createCSR, createNodeKey, loadNodeKey } from './node-key';
export type { CreateCSROptions, NodeKey } from './node-key';
export { roleDnsNames, signNodeCertificate } from './sign';
export type { SignNodeCertificateOptions } from './sign';
export { parseNodeCertificate, verifyNodeCertificate } from './node-cert';
export type { NodeCertificateInfo } from './node-cert';
export { authorizePeerCertificate, expectServer, identityFromPeerCertificate, nodeTlsOptions } from './tls';
export type { NodeTlsOptions, PeerRequirement } from './tls';
export { UnlockKeyError, generateUnlockKey, openWithUnlockKey, parseUnlockKey, sealWithUnlockKey, unlockKeyId } from './unlock-key';
