// The dialing side of the mesh: a stream to a task on another node, through
// that node's TLS port. What comes back is the HTTP/2 stream itself (a Duplex),
// so the proxy pipes a client socket straight into it with no wrapper.

import * as http2 from 'http2';
import type { Duplex } from 'stream';
import { expectServer, nodeTlsOptions } from '../../ca';
import { dialError, DialError } from '../dial-error';
import type { DatagramChannel, ProxyLogger } from '../proxy/types';
import { StreamDatagramChannel } from './datagram-stream';
import { codeForStatus, HEADER_PORT, HEADER_TASK, MESH_TCP_PATH, MESH_UDP_PATH, STATUS } from './protocol';
import { SessionPool } from './session-pool';

export interface MeshCredentials {
  keyPem: string;
  certPem: string;
  caCertPem: string;
}

export interface MeshClientOptions {
  /** This node's key and certificate; the far node checks them. */
  credentials: MeshCredentials;
  /** Far nodes must hold a certificate of this cluster (any role). */
  clusterId: string;
  logger?: ProxyLogger;
  /** Bound on reaching the far node and on its answer (it connecting to the task). Default 3 s. */
  connectTimeoutMs?: number;
  /** A session with no stream is closed after this long. Default 60 s. */
  idleMs?: number;
  /** A session with streams is pinged this often. Default 20 s. */
  pingMs?: number;
}

export interface MeshClientStats {
  /** Sessions open now, one per far node in use. */
  sessions: number;
  /** Sessions opened so far: more than the nodes used means reconnects. */
  sessionsOpened: number;
  /** Streams the far node accepted (200). */
  streams: number;
  /** Streams that failed: refused, unknown task, timeout, node unreachable. */
  failures: number;
}

/** Longest error text read from a refusal: it is a one-line reason. */
const MAX_REASON = 1024;

/** The stream ended before an answer: the session may be stale, worth one retry on a new one. */
class StreamLost extends Error {}

export class MeshClient {
  private credentials: MeshCredentials;
  private readonly clusterId: string;
  private readonly logger?: ProxyLogger;
  private readonly timeoutMs: number;
  private readonly pool: SessionPool;
  /** Nodes whose last attempt failed: logged once per outage, not per connection. */
  private readonly failing = new Set<string>();
  private readonly counters = { streams: 0, failures: 0 };

  constructor(o: MeshClientOptions) {
    this.credentials = o.credentials;
    this.clusterId = o.clusterId;
    this.logger = o.logger;
    this.timeoutMs = o.connectTimeoutMs ?? 3000;
    this.pool = new SessionPool({
      tls: () => ({
        ...nodeTlsOptions(this.credentials),
        checkServerIdentity: expectServer({ clusterId: this.clusterId, roles: ['manager', 'worker'] }),
      }),
      connectTimeoutMs: this.timeoutMs,
      idleMs: o.idleMs ?? 60_000,
      pingMs: o.pingMs ?? 20_000,
      onFailure: (addr, err) => this.noteFailure(addr, err),
    });
  }

  /** New sessions use these (a promotion reissues the certificate); open ones keep theirs. */
  setCredentials(credentials: MeshCredentials): void {
    this.credentials = credentials;
  }

  /** A TCP stream to `port` of task `taskId` on the node at `nodeAddr` (its TLS port, "host:port"). */
  connect(nodeAddr: string, taskId: string, port: number): Promise<Duplex> {
    return this.open(nodeAddr, MESH_TCP_PATH, taskId, port);
  }

  /** A datagram channel to UDP `port` of the task. */
  async datagrams(nodeAddr: string, taskId: string, port: number): Promise<DatagramChannel> {
    return new StreamDatagramChannel(await this.open(nodeAddr, MESH_UDP_PATH, taskId, port));
  }

  stats(): MeshClientStats {
    return { sessions: this.pool.size(), sessionsOpened: this.pool.opened, ...this.counters };
  }

  /** Closes every session; their streams end abruptly. */
  async close(): Promise<void> {
    this.pool.close();
  }

  private async open(addr: string, path: string, taskId: string, port: number): Promise<http2.ClientHttp2Stream> {
    try {
      const first = await this.pool.get(addr);
      let stream: http2.ClientHttp2Stream;
      try {
        stream = await this.request(first.session, addr, path, taskId, port);
      } catch (err) {
        // A session that served before may have died unnoticed (the far node restarted): one more try on a new one.
        if (!(err instanceof StreamLost) || first.fresh) throw err;
        this.pool.discard(first.session);
        const again = await this.pool.get(addr);
        stream = await this.request(again.session, addr, path, taskId, port);
      }
      this.counters.streams++;
      this.failing.delete(addr);
      return stream;
    } catch (err) {
      this.counters.failures++;
      if (err instanceof StreamLost) {
        const lost = dialError('EHOSTUNREACH', err.message, err);
        this.noteFailure(addr, lost);
        throw lost;
      }
      throw err;
    }
  }

  private request(session: http2.ClientHttp2Session, addr: string, path: string, taskId: string, port: number): Promise<http2.ClientHttp2Stream> {
    return new Promise((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request({ ':method': 'POST', ':path': path, [HEADER_TASK]: taskId, [HEADER_PORT]: String(port) }, { endStream: false });
      } catch (err) {
        // The session closed or went away between get() and now.
        return reject(new StreamLost(`mesh: session with node ${addr} is closing: ${(err as Error).message}`));
      }
      this.pool.track(session, stream);
      stream.on('error', () => undefined);
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(dialError('ETIMEDOUT', `mesh: node ${addr} gave no answer for task ${taskId} port ${port} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const lost = (): void => {
        clearTimeout(timer);
        reject(new StreamLost(`mesh: stream to node ${addr} closed before an answer (code ${stream.rstCode ?? '?'})`));
      };
      stream.once('close', lost);
      stream.once('response', (headers) => {
        const status = Number(headers[':status']);
        if (status === STATUS.connected) {
          clearTimeout(timer);
          stream.off('close', lost);
          resolve(stream);
          return;
        }
        stream.off('close', lost);
        readReason(stream, (reason) => {
          clearTimeout(timer);
          stream.destroy();
          reject(refusal(status, addr, taskId, port, reason));
        });
      });
    });
  }

  private noteFailure(addr: string, err: Error): void {
    if (this.failing.has(addr)) return;
    this.failing.add(addr);
    this.logger?.warn(err.message);
  }
}

function refusal(status: number, addr: string, taskId: string, port: number, reason: string): DialError {
  const why = reason.trim() || `status ${status}`;
  return dialError(codeForStatus(status), `mesh: node ${addr}, task ${taskId} port ${port}: ${why}`);
}

/** The short text of a refusal, whenever the stream ends or closes. */
function readReason(stream: http2.ClientHttp2Stream, done: (reason: string) => void): void {
  let text = '';
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    done(text);
  };
  stream.setEncoding('utf8');
  stream.on('data', (s: string) => {
    text += s;
    if (text.length > MAX_REASON) {
      text = text.slice(0, MAX_REASON);
      finish();
    }
  });
  stream.once('end', finish);
  stream.once('close', finish);
}
