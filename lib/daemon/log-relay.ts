// `service logs` on any manager. Agents hold sessions with the leader only,
// so the leader's dispatcher asks the nodes; a follower relays the request to
// the leader over a manager-only WebSocket (/logs on the leader's node port,
// mutual TLS with the managers' certificates) and passes the events on.

import WebSocket from 'ws';
import { expectServer, nodeTlsOptions } from '../ca';
import { ManagerError } from '../manager/errors';
import { Manager } from '../manager/manager';
import { Dispatcher } from '../manager/dispatcher';
import { LogEvent, LogQuery } from '../manager/dispatcher/log-broker';
import { leaderAddrFromStore } from '../manager/dispatcher/dispatcher';
import { ManagerStreamRoute } from '../net/node-server';
import { AsyncQueue } from '../util/async-queue';
import { Credentials } from './credentials';

const MAX_QUERY = 1024 * 1024;

/** The leader's side of /logs. */
export function logsRoute(m: Manager, dispatcher: Dispatcher): ManagerStreamRoute {
  return {
    onSession(ws) {
      ws.once('message', (data: WebSocket.RawData) => {
        const abort = new AbortController();
        ws.once('close', () => abort.abort());
        let q: LogQuery;
        try {
          const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
          if (text.length > MAX_QUERY) throw new Error('query too large');
          q = JSON.parse(text) as LogQuery;
          if (!Array.isArray(q.nodeIds) || typeof q.follow !== 'boolean') throw new Error('malformed log query');
        } catch (e) {
          ws.close(1002, e instanceof Error ? e.message : 'malformed log query');
          return;
        }
        if (!m.isLeader) {
          ws.send(JSON.stringify({ kind: 'warning', message: 'the manager asked is no longer the leader; run the command again' }));
          ws.close(1000);
          return;
        }
        void (async () => {
          for await (const ev of dispatcher.logs.subscribe(q, abort.signal)) {
            if (ws.readyState !== WebSocket.OPEN) break;
            ws.send(JSON.stringify(ev));
          }
          if (ws.readyState === WebSocket.OPEN) ws.close(1000);
        })();
      });
    },
  };
}

/** Log events for the query, from the leader's dispatcher, directly or through the leader. */
export function readLogs(
  o: { m: Manager; dispatcher: Dispatcher; creds: Credentials; clusterId: string },
  q: LogQuery,
  signal: AbortSignal,
): AsyncIterable<LogEvent> {
  if (o.m.isLeader) return o.dispatcher.logs.subscribe(q, signal);
  const addr = leaderAddrFromStore(o.m);
  if (!addr) throw new ManagerError('NoQuorum', 'no leader is known right now (the managers may have lost their quorum); try again shortly');
  const queue = new AsyncQueue<LogEvent>();
  const options: WebSocket.ClientOptions = { ...nodeTlsOptions(o.creds), perMessageDeflate: false, handshakeTimeout: 10_000 };
  Object.assign(options, { checkServerIdentity: expectServer({ clusterId: o.clusterId, roles: ['manager'] }) });
  const ws = new WebSocket(`wss://${addr}/logs`, options);
  ws.on('open', () => ws.send(JSON.stringify(q)));
  ws.on('message', (data: WebSocket.RawData) => {
    try {
      queue.push(JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data)) as LogEvent);
    } catch {
      queue.push({ kind: 'warning', message: 'the leader sent an unreadable log event' });
    }
  });
  ws.on('error', (e: Error) => queue.push({ kind: 'warning', message: `could not read logs through the leader at ${addr}: ${e.message}` }));
  ws.once('close', () => queue.end());
  signal.addEventListener('abort', () => ws.close(1000), { once: true });
  return queue;
}
