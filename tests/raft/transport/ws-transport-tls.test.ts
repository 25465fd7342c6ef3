import { MessageType } from '../../../lib/raft/core/types';
import { PeerIdentity } from '../../../lib/raft/transport/ws-options';
import { connected, Harness, msg, RawPeer, waitFor } from './harness';
import { KeyPair, TestPki } from './certs';

let pki: TestPki;
let ca1: Buffer;
let ca2: Buffer;
let node1: KeyPair;
let node2: KeyPair;
let stranger: KeyPair;

beforeAll(() => {
  pki = new TestPki();
  ca1 = pki.ca('ca1');
  ca2 = pki.ca('ca2');
  node1 = pki.issue('ca1', 'node1');
  node2 = pki.issue('ca1', 'node2');
  stranger = pki.issue('ca2', 'stranger');
});
afterAll(() => pki.remove());

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

/** Resolves true if the socket opened, false if it failed first. */
function opens(raw: RawPeer): Promise<boolean> {
  return Promise.race([raw.opened.then(() => true), raw.closed.then(() => false)]);
}

describe('WsTransport over mutual TLS', () => {
  it('carries messages between nodes whose certificates share a CA', async () => {
    const a = await h.node(1, { tls: { ...node1, ca: ca1 } });
    const b = await h.node(2, { tls: { ...node2, ca: ca1 } });
    expect(a.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    h.meshUp([a, b]);
    await waitFor(() => connected(a, b), 'connected over TLS');
    a.t.send([msg(MessageType.Heartbeat, 1, 2)]);
    b.t.send([msg(MessageType.HeartbeatResp, 2, 1)]);
    await waitFor(() => a.inbox.length === 1 && b.inbox.length === 1, 'one message each way');
  });

  it('shows authorizePeer the verified certificate of the peer', async () => {
    const seen: string[] = [];
    const authorizePeer = (p: PeerIdentity): true => {
      seen.push(`${p.id} ${p.direction} ${String(p.certificate?.subject.CN)}`);
      return true;
    };
    const a = await h.node(1, { tls: { ...node1, ca: ca1 }, authorizePeer });
    const b = await h.node(2, { tls: { ...node2, ca: ca1 }, authorizePeer });
    h.meshUp([a, b]);
    await waitFor(() => connected(a, b), 'connected over TLS');
    expect(seen).toEqual(expect.arrayContaining(['2 outbound node2', '1 inbound node1']));
  });

  it('refuses a client without a certificate', async () => {
    const a = await h.node(1, { tls: { ...node1, ca: ca1 } });
    const raw = new RawPeer(h, a.url, { ca: ca1 });
    expect(await opens(raw)).toBe(false);
    await waitFor(() => a.t.stats().refused === 1, 'the server counts the refusal');
  });

  it('refuses a client whose certificate comes from another CA', async () => {
    const a = await h.node(1, { tls: { ...node1, ca: ca1 } });
    const raw = new RawPeer(h, a.url, { ...stranger, ca: ca1 });
    expect(await opens(raw)).toBe(false);
    await waitFor(() => a.t.stats().refused === 1, 'the server counts the refusal');
  });

  it('never connects nodes of different CAs, in either direction', async () => {
    const a = await h.node(1, { tls: { ...node1, ca: ca1 } });
    const c = await h.node(3, { tls: { ...stranger, ca: ca2 } });
    h.meshUp([a, c]);
    // a dials c and refuses c's server certificate; c dials a and a refuses its client certificate.
    await waitFor(() => a.warnings.some((w) => /cannot connect/.test(w)), 'a fails to dial c');
    await waitFor(() => c.warnings.some((w) => /cannot connect/.test(w)), 'c fails to dial a');
    await waitFor(() => a.t.stats().refused > 0 && c.t.stats().refused > 0, 'both servers refuse');
    a.t.send([msg(MessageType.Heartbeat, 1, 3)]);
    c.t.send([msg(MessageType.Heartbeat, 3, 1)]);
    expect(a.t.stats().peers[3]).toMatchObject({ connected: false, sent: 0 });
    expect(c.t.stats().peers[1]).toMatchObject({ connected: false, sent: 0 });
    expect(a.inbox).toEqual([]);
    expect(c.inbox).toEqual([]);
  });
});
