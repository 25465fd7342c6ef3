// Three managers: followers redirect agents to the leader, agents fail over
// when the leader dies, and the new leader's grace keeps reconnecting nodes
// from flapping to down.

import { Node } from '../../lib/api/types';
import { CLOSE, TestSwarm, until } from './harness';

const PERIOD = 200;

let swarm: TestSwarm;
beforeAll(async () => {
  swarm = await TestSwarm.start(3, PERIOD);
});
afterAll(() => swarm.close());

describe('dispatcher with three managers', () => {
  it('a follower redirects a session to the leader', async () => {
    const lead = await swarm.leader();
    const follower = swarm.live().find((m) => m !== lead)!;
    const w = await swarm.worker('w-redirect-raw');
    const raw = await swarm.raw(follower.addr, w.credentials);
    raw.register('w-redirect-raw');
    const redirect = await raw.next('redirect');
    expect(redirect).toEqual({ v: 1, type: 'redirect', leaderAddr: lead.addr, managers: expect.arrayContaining(swarm.managers.map((m) => m.addr)) });
    expect(redirect.type === 'redirect' && redirect.managers[0]).toBe(lead.addr);
    expect((await raw.whenClosed()).code).toBe(CLOSE.redirect);
    expect(swarm.state(w.nodeId)).toBe('unknown');
  });

  it('an agent that dials a follower registers with the leader', async () => {
    const lead = await swarm.leader();
    const follower = swarm.live().find((m) => m !== lead)!;
    const w = await swarm.worker('w-redirected');
    const agent = swarm.agent(w, 'w-redirected', { managers: [follower.addr] });
    const reg = await agent.waitRegistered(5000);
    expect(reg.manager).toBe(lead.addr);
    expect(swarm.state(w.nodeId)).toBe('ready');
    // It learnt every manager, so it can fail over to any of them.
    expect([...agent.managers].sort()).toEqual(swarm.managers.map((m) => m.addr).sort());
    await agent.stop();
  });

  it('when the leader dies, agents fail over to the new leader and their nodes never go down', async () => {
    const workers = await Promise.all(['w-fo-1', 'w-fo-2', 'w-fo-3'].map((h) => swarm.worker(h)));
    // A node the store says is ready but whose agent is gone: judged only after the grace.
    const ghost = await swarm.worker('w-ghost');
    const oldLead = await swarm.leader();
    await oldLead.manager.write([{ op: 'update', kind: 'node', object: readyCopy(swarm.node(ghost.nodeId)!), expectedVersion: swarm.node(ghost.nodeId)!.meta.version }]);
    const agents = workers.map((w, i) => swarm.agent(w, `w-fo-${i + 1}`));
    await Promise.all(agents.map((a) => a.waitRegistered(5000)));
    for (const a of agents) expect(a.manager).toBe(oldLead.addr);

    // Every state any surviving manager's store goes through for these nodes.
    const survivors = swarm.live().filter((m) => m !== oldLead);
    const seen = new Map<string, string[]>();
    const watchers = survivors.map((m) => m.manager.store.watch({ kinds: ['node'] }));
    const collecting = watchers.map(async (watcher) => {
      for await (const e of watcher) {
        if (e.action === 'reset' || !e.object) continue;
        const node = e.object as Node;
        const states = seen.get(node.id) ?? [];
        if (states[states.length - 1] !== node.status.state) states.push(node.status.state);
        seen.set(node.id, states);
      }
    });

    await swarm.stopManager(oldLead);
    const tLeaderLost = Date.now();
    const newLead = await swarm.leader();
    await Promise.all(
      agents.map((a) => until(() => a.state === 'registered' && a.manager === newLead.addr, 'the agent to register with the new leader', 10_000)),
    );
    for (const w of workers) expect(swarm.state(w.nodeId)).toBe('ready');

    // The ghost goes down, but only once the grace of 3 periods has passed.
    await until(() => swarm.state(ghost.nodeId) === 'down', 'the ghost node to be marked down', 10_000);
    expect(Date.now() - tLeaderLost).toBeGreaterThanOrEqual(3 * PERIOD);
    // And the live nodes stayed ready through it all, a few periods on.
    const t0 = Date.now();
    await until(() => Date.now() - t0 > 4 * PERIOD, 'four more periods');
    for (const w of workers) {
      expect(swarm.state(w.nodeId)).toBe('ready');
      expect(seen.get(w.nodeId) ?? ['ready']).toEqual(['ready']);
    }
    for (const watcher of watchers) watcher.close();
    await Promise.allSettled(collecting);
    await Promise.all(agents.map((a) => a.stop()));
  });
});

function readyCopy(n: Node): Node {
  return { ...n, status: { state: 'ready', addr: '10.0.0.9' } };
}
