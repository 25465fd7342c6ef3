// `swarm join`: trade a join token for a node certificate.
//
// Order matters for the token's secret: the CA is fetched without trusting
// anyone, checked against the digest in the token, and only then is the
// secret sent — over TLS verified against that CA, to a manager certificate.
// A man in the middle without the cluster's CA key learns nothing.

import { createPrivateKey, X509Certificate } from 'crypto';
import {
  caDigest,
  createCSR,
  createNodeKey,
  expectServer,
  JoinTokenError,
  NodeRole,
  parseJoinToken,
  ParsedJoinToken,
  tokenMatchesCA,
  verifyNodeCertificate,
} from '../ca';
import { formatHostPort, HostPort, parseHostPort } from './address';
import { CallTimeout, HandshakeFailed, HttpsAnswer, httpsCall, HttpsCallOptions } from './https-call';
import { checkJoinResponse, JoinRequest, JoinResponse, ManagerInfo, ROUTES } from './join-protocol';

export interface JoinClusterOptions {
  token: string;
  /** host:port of any manager's node server. */
  managerAddr: string;
  hostname: string;
  /** host:port other nodes reach this node at. */
  advertiseAddr: string;
  availability?: JoinRequest['availability'];
  /** Per request (fetching the CA, then joining). Default 10 s. */
  timeoutMs?: number;
}

/** Everything the new node stores in its data dir; the role is the token's, not the caller's. */
export interface JoinedNode {
  nodeId: string;
  role: NodeRole;
  keyPem: string;
  certPem: string;
  caCertPem: string;
  clusterId: string;
  managers: ManagerInfo[];
  raftId?: number;
  raft?: JoinResponse['raft'];
  /** A manager of an autolocked cluster: the unlock key to seal its keys with. */
  unlockKey?: string;
}

export type JoinErrorCode =
  /** The token is malformed; nothing was sent anywhere. */
  | 'InvalidToken'
  /** The manager address is not host:port; nothing was sent anywhere. */
  | 'InvalidAddress'
  /** Nothing answered at the address (refused, unresolvable, timed out). */
  | 'Unreachable'
  /** The CA served there is not the one the token names; the secret was not sent. */
  | 'CaMismatch'
  /** The manager refused the token (another cluster's, or rotated). */
  | 'TokenRejected'
  /** Any other refusal, or an answer that is not what a swarm manager sends. */
  | 'Refused';

/** One line for the terminal; never contains the token's secret. */
export class JoinError extends Error {
  override name = 'JoinError';
  constructor(
    readonly code: JoinErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;

export async function joinCluster(o: JoinClusterOptions): Promise<JoinedNode> {
  let token: ParsedJoinToken;
  try {
    token = parseJoinToken(o.token);
  } catch (err) {
    if (err instanceof JoinTokenError) throw new JoinError('InvalidToken', err.message);
    throw err;
  }
  let target: HostPort;
  try {
    target = parseHostPort(o.managerAddr);
  } catch (err) {
    throw new JoinError('InvalidAddress', `cannot join: manager ${(err as Error).message}`);
  }
  const addr = formatHostPort(target.host, target.port);
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const key = await createNodeKey();
  const csrPem = await createCSR(key);

  const caCertPem = await fetchCA(target, addr, timeoutMs);
  if (!tokenMatchesCA(token, caCertPem)) {
    throw new JoinError('CaMismatch', `the manager at ${addr} presented a CA that does not match the join token — refusing to join`);
  }
  const clusterId = clusterOfCA(caCertPem, addr);

  const request: JoinRequest = { token: o.token.trim(), csrPem, hostname: o.hostname, advertiseAddr: o.advertiseAddr };
  if (o.availability) request.availability = o.availability;
  const answer = await call(addr, 'join', {
    ...target,
    method: 'POST',
    path: ROUTES.join,
    body: JSON.stringify(request),
    ca: caCertPem,
    verify: true,
    // Manager certificates carry no IP address; check the subject instead of the dialled host.
    checkServerIdentity: expectServer({ clusterId, roles: ['manager'] }),
    timeoutMs,
  });
  if (answer.status === 401) {
    throw new JoinError('TokenRejected', `the manager at ${addr} rejected the join token: ${errorOf(answer)}`);
  }
  if (answer.status !== 200) {
    throw new JoinError('Refused', `the manager at ${addr} refused the join (HTTP ${answer.status}): ${errorOf(answer)}`);
  }
  const checked = checkJoinResponse(parseJson(answer.body));
  if (!checked.ok) throw new JoinError('Refused', `the manager at ${addr} sent an invalid join answer: ${checked.reason}`);
  const joined = checked.value;

  // The manager is trusted by now, but a certificate we cannot use must fail
  // here, not at the first connection of a detached daemon.
  if (caDigest(joined.caCertPem) !== token.caDigest) {
    throw new JoinError('Refused', `the manager at ${addr} answered with a CA other than the one it serves at ${ROUTES.ca}`);
  }
  const info = await verifyNodeCertificate(joined.certPem, caCertPem).catch((err: Error) => {
    throw new JoinError('Refused', `the manager at ${addr} issued an unusable certificate: ${err.message}`);
  });
  if (info.nodeId !== joined.nodeId || info.role !== joined.role || info.clusterId !== joined.clusterId || info.clusterId !== clusterId) {
    throw new JoinError('Refused', `the manager at ${addr} issued a certificate that disagrees with its answer (node, role or cluster)`);
  }
  if (!new X509Certificate(joined.certPem).checkPrivateKey(createPrivateKey(key.keyPem))) {
    throw new JoinError('Refused', `the manager at ${addr} issued a certificate for a key other than this node's`);
  }
  const out: JoinedNode = {
    nodeId: joined.nodeId,
    role: joined.role,
    keyPem: key.keyPem,
    certPem: joined.certPem,
    caCertPem,
    clusterId,
    managers: joined.managers,
  };
  if (joined.raftId !== undefined) out.raftId = joined.raftId;
  if (joined.raft !== undefined) out.raft = joined.raft;
  if (joined.unlockKey !== undefined) out.unlockKey = joined.unlockKey;
  return out;
}

async function fetchCA(target: HostPort, addr: string, timeoutMs: number): Promise<string> {
  // Unverified on purpose: nothing is trusted yet, and nothing secret is sent.
  const answer = await call(addr, 'ca', { ...target, method: 'GET', path: ROUTES.ca, verify: false, timeoutMs });
  if (answer.status !== 200) {
    throw new JoinError('Refused', `${addr} answered GET ${ROUTES.ca} with HTTP ${answer.status}: is it a swarm manager's listen address?`);
  }
  try {
    caDigest(answer.body); // one well-formed certificate, or it throws
  } catch (err) {
    throw new JoinError('Refused', `${addr} did not serve a CA certificate at ${ROUTES.ca}: ${(err as Error).message}`);
  }
  return answer.body;
}

/** The cluster id is the O of the root CA's subject (lib/ca names it CN=swarm-ca, O=<cluster id>). */
function clusterOfCA(caCertPem: string, addr: string): string {
  const o = new X509Certificate(caCertPem).subject.split('\n').filter((l) => l.startsWith('O='));
  if (o.length !== 1 || o[0].length <= 2) throw new JoinError('Refused', `the CA served by ${addr} names no cluster (no single O in its subject)`);
  return o[0].slice(2);
}

async function call(addr: string, step: 'ca' | 'join', o: HttpsCallOptions): Promise<HttpsAnswer> {
  try {
    return await httpsCall(o);
  } catch (err) {
    throw describeNetworkError(err, addr, step, o.timeoutMs);
  }
}

function describeNetworkError(err: unknown, addr: string, step: 'ca' | 'join', timeoutMs: number): JoinError {
  if (err instanceof CallTimeout) {
    return new JoinError('Unreachable', `no manager answers at ${addr}: no answer within ${timeoutMs / 1000} s`);
  }
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new JoinError('Unreachable', `no manager answers at ${addr}: connection refused`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new JoinError('Unreachable', `no manager answers at ${addr}: cannot resolve the host name`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new JoinError('Unreachable', `no manager answers at ${addr}: ${e.code}`);
  }
  if (err instanceof HandshakeFailed) {
    return step === 'join'
      ? new JoinError('Refused', `the node at ${addr} did not prove to be a manager of this cluster (${err.message}); the token was not sent`)
      : new JoinError('Refused', `${addr} did not complete a TLS handshake (${err.message}): is it a swarm node's listen address?`);
  }
  const what = e instanceof Error ? e.message : String(err);
  return new JoinError('Refused', `${addr} failed during ${step === 'ca' ? `GET ${ROUTES.ca}` : `POST ${ROUTES.join}`}: ${what}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The server's one-line error; its text is ours (node-server) and never repeats the secret. */
function errorOf(answer: HttpsAnswer): string {
  const body = parseJson(answer.body);
  if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string') {
    return oneLine((body as { error: string }).error);
  }
  return oneLine(answer.body) || 'no reason given';
}

function oneLine(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
}
