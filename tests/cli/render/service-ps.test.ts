import { renderServicePs, type ServicePsOptions } from '../../../lib/cli/render/service-ps';
import { deepFreeze } from '../../../lib/manager/store/deep-freeze';
import { Sim } from '../../manager/orchestrator/harness';
import { port, service, task } from './service-fixtures';

const WEB = 'svcweb000000000000000000a';
const AGENT = 'svcagent0000000000000000b';
const NODE1 = 'node1aaaaaaaaaaaaaaaaaaaa';
const NODE2 = 'node2bbbbbbbbbbbbbbbbbbbb';

const tasks = deepFreeze([
  task({ id: 'w10aaaaaaaaaaaaaaaaaaaaaa', slot: 10, state: 'pending', at: '2024-05-01T10:10:00Z', err: 'no suitable node (insufficient resources on 2 nodes)' }),
  task({ id: 'w1oldbbbbbbbbbbbbbbbbbbbb', slot: 1, nodeId: NODE1, desired: 'shutdown', state: 'failed', at: '2024-05-01T10:04:00Z', createdAt: '2024-05-01T10:00:00Z', err: 'task: non-zero exit (1): something went badly wrong here' }),
  task({ id: 'w2ccccccccccccccccccccccc', slot: 2, nodeId: NODE2, at: '2024-05-01T10:08:59Z', image: 'docker.io/library/nginx:1.25@sha256:beef', ports: [port(9000, 9000, 'tcp', 'host'), port(9001, 53, 'udp', 'host')] }),
  task({ id: 'w1newdddddddddddddddddddd', slot: 1, nodeId: NODE1, state: 'running', at: '2024-05-01T10:09:55Z', createdAt: '2024-05-01T10:05:00Z' }),
  task({ id: 'agent1eeeeeeeeeeeeeeeeeee', serviceId: AGENT, serviceName: 'old-agent-name', nodeId: NODE1, image: 'agent:2', at: '2024-05-01T08:00:00Z' }),
]);

const options: ServicePsOptions = {
  now: Date.parse('2024-05-01T10:10:00Z'),
  nodeNames: new Map([[NODE1, 'worker-1']]),
  services: deepFreeze([service(WEB, 'web'), service(AGENT, 'agent')]),
};

describe('service ps as docker prints it', () => {
  test('sorted by name naturally, newest first within a slot, history indented, errors cut to 30 columns', () => {
    expect(renderServicePs(tasks, options)).toBe(
      [
        'ID             NAME                              IMAGE        NODE                        DESIRED STATE   CURRENT STATE                    ERROR                              PORTS',
        'agent1eeeeee   agent.node1aaaaaaaaaaaaaaaaaaaa   agent:2      worker-1                    Running         Running 2 hours ago',
        'w1newddddddd   web.1                             nginx:1.25   worker-1                    Running         Running 5 seconds ago',
        'w1oldbbbbbbb    \\_ web.1                         nginx:1.25   worker-1                    Shutdown        Failed 6 minutes ago             "task: non-zero exit (1): some…"',
        'w2cccccccccc   web.2                             nginx:1.25   node2bbbbbbbbbbbbbbbbbbbb   Running         Running about a minute ago                                          *:9000->9000/tcp,*:9001->53/udp',
        'w10aaaaaaaaa   web.10                            nginx:1.25                               Running         Pending less than a second ago   "no suitable node (insufficien…"',
        '',
      ].join('\n'),
    );
  });

  test('--no-trunc: full ids and images, whole errors', () => {
    const out = renderServicePs(tasks, { ...options, noTrunc: true }).split('\n');
    expect(out[2]).toContain('w1newdddddddddddddddddddd   web.1');
    expect(out[3]).toContain('"task: non-zero exit (1): something went badly wrong here"');
    expect(out[4]).toContain('docker.io/library/nginx:1.25@sha256:beef');
  });

  test('-q: full ids, in the same order', () => {
    expect(renderServicePs(tasks, { ...options, quiet: true })).toBe(
      'agent1eeeeeeeeeeeeeeeeeee\nw1newdddddddddddddddddddd\nw1oldbbbbbbbbbbbbbbbbbbbb\nw2ccccccccccccccccccccccc\nw10aaaaaaaaaaaaaaaaaaaaaa\n',
    );
    expect(renderServicePs([], { ...options, quiet: true })).toBe('');
  });

  test('--no-resolve: service and node ids instead of names', () => {
    const out = renderServicePs(tasks, { ...options, noResolve: true }).split('\n');
    expect(out[1]).toMatch(/^agent1eeeeee {3}svcagent0000000000000000b\.node1a{20} +agent:2 +node1a{20} /);
    expect(out[5]).toMatch(/^w10aaaaaaaaa {3}svcweb000000000000000000a\.10 /);
  });

  test('a service missing from the list keeps the name its tasks were created with', () => {
    const out = renderServicePs(tasks, { ...options, services: [] });
    expect(out).toContain('old-agent-name.node1aaaaaaaaaaaaaaaaaaaa');
  });

  test("--format json: docker's keys, sorted; no history indent; ids cut unless -q or --no-trunc", () => {
    const lines = renderServicePs(tasks, { ...options, format: 'json' }).trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[2]).toBe(
      '{"CurrentState":"Failed 6 minutes ago","DesiredState":"Shutdown","Error":"\\"task: non-zero exit (1): some…\\"","ID":"w1oldbbbbbbb","Image":"nginx:1.25","Name":"web.1","Node":"worker-1","Ports":""}',
    );
    expect(lines[3]).toContain('"Ports":"*:9000-\\u003e9000/tcp,*:9001-\\u003e53/udp"');
    const quiet = renderServicePs(tasks, { ...options, format: 'json', quiet: true }).split('\n');
    expect(JSON.parse(quiet[0]).ID).toBe('agent1eeeeeeeeeeeeeeeeeee');
  });

  test('the header alone when there are no tasks; a Date works as now', () => {
    expect(renderServicePs([], { now: new Date() })).toBe(
      'ID        NAME      IMAGE     NODE      DESIRED STATE   CURRENT STATE   ERROR     PORTS\n',
    );
    const [one] = tasks;
    expect(renderServicePs([one], { ...options, now: new Date('2024-05-01T10:12:00Z') })).toContain('Pending 2 minutes ago');
  });

  test('a task that finished and will not be restarted shows desired state Shutdown, as docker does', () => {
    // The store as the orchestrator leaves it: restart condition none, the task exited 0.
    const sim = new Sim();
    sim.addNode('na');
    sim.createService('s1', (s) => {
      s.name = 'once';
      s.task.restartPolicy.condition = 'none';
    });
    sim.converge();
    sim.complete(sim.live('s1')[0].id);
    sim.converge();
    const out = renderServicePs(sim.tasks('s1'), { now: sim.now, services: sim.store.list('service') }).split('\n');
    expect(out).toHaveLength(3);
    expect(out[1]).toMatch(/^\w{12} +once\.1 +nginx:1 +na +Shutdown +Complete less than a second ago\s*$/);
  });
});
