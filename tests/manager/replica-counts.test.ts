// `service ls` counts replicas for every service with one ReplicaCounter
// (nodes read once, matched once per constraint list); each count must be
// the one replicaCounts gives for that service alone, over the same store.

import { ReplicaCounter, replicaCounts } from '../../lib/manager/service-ops';
import { seededRandom } from '../../lib/raft/random';
import { Sim } from './orchestrator/harness';

const CONSTRAINTS = [[], ['node.labels.zone==east'], ['node.labels.zone!=east'], ['node.labels.disk==ssd', 'node.labels.zone==west'], ['node.role==worker']];

test('one counter for the whole listing agrees with the count of each service alone', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const r = seededRandom(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const sim = new Sim();
    for (let i = 0; i < 30; i++) {
      sim.addNode(`n${i}`, {
        labels: { zone: pick(['east', 'west']), disk: pick(['ssd', 'hdd']) },
        state: pick(['ready', 'ready', 'down'] as const),
        availability: pick(['active', 'pause', 'drain'] as const),
      });
    }
    for (let s = 0; s < 12; s++) {
      sim.createService(`s${s}`.padStart(25, '0'), (spec) => {
        spec.mode = pick(['replicated', 'global'] as const);
        spec.replicas = Math.floor(r() * 5);
        spec.task.placement.constraints = pick(CONSTRAINTS);
      });
    }
    sim.settle();
    sim.schedule();
    // Some tasks run, so `running` is not always 0.
    for (const t of sim.tasks()) if (t.nodeId && r() < 0.5) sim.run(t.id);
    const nodes = sim.store.list('node');
    const counter = new ReplicaCounter(nodes);
    const seen = new Set<number>();
    let running = 0;
    for (const svc of sim.store.list('service')) {
      const tasks = sim.store.tasksByService(svc.id);
      const alone = replicaCounts(svc, tasks, nodes);
      expect(counter.counts(svc, tasks)).toEqual(alone);
      if (svc.spec.mode === 'global') seen.add(alone.desired);
      running += alone.running;
    }
    expect(seen.size).toBeGreaterThan(0);
    expect(running).toBeGreaterThan(0);
  }
});

test('a global service counts the nodes that are up, not drained, and meet its constraints', () => {
  const sim = new Sim();
  sim.addNode('a', { labels: { zone: 'east' } });
  sim.addNode('b', { labels: { zone: 'east' }, availability: 'drain' });
  sim.addNode('c', { labels: { zone: 'east' }, state: 'down' });
  sim.addNode('d', { labels: { zone: 'west' }, availability: 'pause' });
  sim.addNode('e', { labels: { zone: 'east' }, availability: 'pause' });
  sim.createService('g'.padEnd(25, '0'), (spec) => {
    spec.mode = 'global';
    spec.task.placement.constraints = ['node.labels.zone==east'];
  });
  const counter = new ReplicaCounter(sim.store.list('node'));
  expect(counter.counts(sim.service('g'.padEnd(25, '0')), [])).toEqual({ running: 0, desired: 2 });
});
