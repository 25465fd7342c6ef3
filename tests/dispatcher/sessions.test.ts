// One manager: registration, heartbeats, the two ways a node goes down,
// replaced and malformed sessions, removed nodes, batched status writes.

import { CLOSE, description, TestSwarm, until } from './harness';

const PERIOD = 150;

let swarm: TestSwarm;
beforeAll(async () => {
  swarm = await TestSwarm.start(1, PERIOD);
});
afterAll(() => swarm.close());

/** Polls `state` of a node until it is `want`, and says how long that took. */
async function timeUntilState(nodeId: string, want: string, timeoutMs = 5000): Promise<number> {
  const t0 = Date.now();
  await until(() => swarm.state(nodeId) === want, `node ${nodeId} to be ${want}`, timeoutMs);
  return Date.now() - t0;
}

describe('dispatcher sessions on one manager', () => {
  it('an agent registers: the node becomes ready with its description and address', async () => {
    const w = await swarm.worker('w-reg');
    const agent = swarm.agent(w, 'w-reg');
    const reg = await agent.waitRegistered(5000);
    // Registered is answered after the status is committed.
    expect(swarm.state(w.nodeId)).toBe('ready');
    const node = swarm.node(w.nodeId);
    expect(node?.description).toEqual(description('w-reg'));
    expect(node?.status).toEqual({ state: 'ready', addr: '127.0.0.1' });
    expect(agent.state).toBe('registered');
    expect(agent.manager).toBe(swarm.managers[0].addr);
    expect(reg.heartbeatPeriodMs).toBe(PERIOD);
    expect(agent.managers).toEqual([swarm.managers[0].addr]);
    await agent.stop();
  });

  it('heartbeats keep a node ready for many periods', async () => {
    const w = await swarm.worker('w-hb');
    const agent = swarm.agent(w, 'w-hb');
    await agent.waitRegistered(5000);
    const session = agent.sessionId;
    const t0 = Date.now();
    const states = new Set<string | undefined>();
    await until(() => {
      states.add(swarm.state(w.nodeId));
      return Date.now() - t0 > 8 * PERIOD;
    }, 'eight heartbeat periods to pass');
    expect([...states]).toEqual(['ready']);
    expect(agent.sessionId).toBe(session);
    await agent.stop();
  });

  it('a session that stays open without heartbeats: down after about 3 periods ("heartbeat failure")', async () => {
    const w = await swarm.worker('w-silent');
    const raw = await swarm.raw(swarm.managers[0].addr, w.credentials);
    raw.register('w-silent');
    await raw.next('registered');
    expect(swarm.state(w.nodeId)).toBe('ready');
    const took = await timeUntilState(w.nodeId, 'down');
    expect(took).toBeGreaterThanOrEqual(3 * PERIOD - 20);
    expect(took).toBeLessThan(3 * PERIOD + 1500);
    expect(swarm.node(w.nodeId)?.status.message).toBe('heartbeat failure');
    // The dispatcher ends the expired session itself.
    expect((await raw.whenClosed()).code).toBe(CLOSE.expired);
  });

  it('an agent that dies (socket dropped, no close frame): down after one period, not three', async () => {
    const w = await swarm.worker('w-crash');
    const agent = swarm.agent(w, 'w-crash');
    await agent.waitRegistered(5000);
    await agent.stop({ hard: true });
    const took = await timeUntilState(w.nodeId, 'down');
    expect(took).toBeGreaterThanOrEqual(PERIOD - 20);
    expect(took).toBeLessThan(3 * PERIOD);
    expect(swarm.node(w.nodeId)?.status.message).toBe('session closed');
  });

  it('an agent stopped cleanly: down after one period', async () => {
    const w = await swarm.worker('w-clean');
    const agent = swarm.agent(w, 'w-clean');
    await agent.waitRegistered(5000);
    await agent.stop();
    expect(agent.state).toBe('stopped');
    const took = await timeUntilState(w.nodeId, 'down');
    expect(took).toBeGreaterThanOrEqual(PERIOD - 20);
    expect(took).toBeLessThan(3 * PERIOD);
  });

  it('a node that comes back after being down is ready again', async () => {
    const w = await swarm.worker('w-back');
    const first = swarm.agent(w, 'w-back');
    await first.waitRegistered(5000);
    await first.stop();
    await timeUntilState(w.nodeId, 'down');
    const second = swarm.agent(w, 'w-back');
    await second.waitRegistered(5000);
    expect(swarm.node(w.nodeId)?.status).toEqual({ state: 'ready', addr: '127.0.0.1' });
    await second.stop();
  });

  it('a second session for the same node replaces the first', async () => {
    const w = await swarm.worker('w-twice');
    const one = await swarm.raw(swarm.managers[0].addr, w.credentials);
    one.register('w-twice');
    await one.next('registered');
    const two = await swarm.raw(swarm.managers[0].addr, w.credentials);
    two.register('w-twice');
    await two.next('registered');
    const closed = await one.whenClosed();
    expect(closed.code).toBe(CLOSE.replaced);
    expect(one.received).toContainEqual({ v: 1, type: 'error', message: 'replaced by a newer session of the same node' });
    // The replaced session's close does not count against the node.
    two.send({ v: 1, type: 'heartbeat' });
    await two.next('heartbeatAck');
    expect(swarm.state(w.nodeId)).toBe('ready');
    two.ws.close();
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an unknown type', { v: 1, type: 'takeOver' }, /unknown message type "takeOver"/],
    ['another protocol version', { v: 2, type: 'heartbeat' }, /unsupported protocol version 2/],
    ['a node id of its own choosing', { v: 1, type: 'register', nodeId: 'someone-else', description: description('x') }, /unexpected field "nodeId"/],
    ['a bad description', { v: 1, type: 'register', description: { hostname: 'x', platform: {}, resources: {} } }, /description\.platform\.os must be a string/],
    ['a heartbeat before register', { v: 1, type: 'heartbeat' }, /heartbeat before register/],
  ])('a malformed message (%s) closes the session with the reason', async (_what, message, reason) => {
    const w = await swarm.worker('w-bad');
    const raw = await swarm.raw(swarm.managers[0].addr, w.credentials);
    raw.send(message);
    const closed = await raw.whenClosed();
    expect(closed.code).toBe(CLOSE.protocolError);
    expect(closed.reason).toMatch(reason);
    const error = raw.received.find((m) => m.type === 'error');
    expect(error && error.type === 'error' && error.message).toMatch(reason);
    expect(swarm.state(w.nodeId)).toBe('unknown');
  });

  it("a removed node's session is closed and its certificate refused from then on", async () => {
    const w = await swarm.worker('w-removed');
    const agent = swarm.agent(w, 'w-removed', { backoff: { initialMs: 50, maxMs: 100 } });
    await agent.waitRegistered(5000);
    const lead = await swarm.leader();
    const reasons: string[] = [];
    agent.on('disconnected', (why) => reasons.push(why));
    await lead.manager.write([{ op: 'delete', kind: 'node', id: w.nodeId }]);
    await until(() => reasons.some((r) => r.includes('removed')), 'the session to be closed');
    await until(() => reasons.some((r) => r.startsWith('HTTP 403')), 'a redial to be refused');
    expect(agent.state).toBe('connecting');
    await agent.stop();
  });

  it('a connection without a certificate is refused', async () => {
    const c = await swarm.ca.credentials('nobody', 'worker');
    await expect(swarm.raw(swarm.managers[0].addr, { ...c, keyPem: '', certPem: '' })).rejects.toThrow(/403/);
  });

  it('many agents registering at once cost far fewer store writes than agents', async () => {
    const N = 20;
    const workers = await Promise.all(Array.from({ length: N }, (_, i) => swarm.worker(`w-batch-${i}`)));
    const lead = await swarm.leader();
    const before = lead.dispatcher.stats().statusWrites;
    const indexBefore = lead.manager.store.appliedIndex;
    const agents = workers.map((w, i) => swarm.agent(w, `w-batch-${i}`));
    await Promise.all(agents.map((a) => a.waitRegistered(10_000)));
    for (const w of workers) expect(swarm.state(w.nodeId)).toBe('ready');
    const writes = lead.dispatcher.stats().statusWrites - before;
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(N / 4);
    // Raft entries include the leader's own (heartbeat failures of earlier tests' nodes at most).
    expect(lead.manager.store.appliedIndex - indexBefore).toBeLessThan(N / 2);
    await Promise.all(agents.map((a) => a.stop()));
  });
});
