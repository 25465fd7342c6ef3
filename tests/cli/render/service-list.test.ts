import { renderServiceList, servicePortsText, type ServiceListEntry } from '../../../lib/cli/render/service-list';
import { deepFreeze } from '../../../lib/manager/store/deep-freeze';
import { port, service } from './service-fixtures';

// docker's own formatter test (cli/command/service/formatter_test.go), less the job modes we do not have.
const dockerCase = deepFreeze<ServiceListEntry[]>([
  {
    service: service('01_baz', 'baz', (s) => {
      s.mode = 'global';
      s.endpoint.ports = [port(80, 8080)];
    }),
    running: 1,
    desired: 3,
  },
  {
    service: service('02_bar', 'bar', (s) => {
      s.replicas = 4;
      s.endpoint.ports = [port(80, 8090, 'udp')];
    }),
    running: 2,
    desired: 4,
  },
  {
    service: service('03_qux10', 'qux10', (s) => {
      s.replicas = 3;
      s.task.placement.maxReplicas = 1;
    }),
    running: 2,
    desired: 3,
  },
  {
    service: service('04_qux2', 'qux2', (s) => {
      s.replicas = 3;
      s.task.placement.maxReplicas = 2;
    }),
    running: 3,
    desired: 3,
  },
]);

describe('service ls as docker prints it', () => {
  test("docker's table: natural name order, minimum column width, (max N per node)", () => {
    expect(renderServiceList(dockerCase)).toBe(
      [
        'ID         NAME      MODE         REPLICAS               IMAGE     PORTS',
        '02_bar     bar       replicated   2/4                              *:80->8090/udp',
        '01_baz     baz       global       1/3                              *:80->8080/tcp',
        '04_qux2    qux2      replicated   3/3 (max 2 per node)',
        '03_qux10   qux10     replicated   2/3 (max 1 per node)',
        '',
      ].join('\n'),
    );
  });

  test('-q: ids only; nothing at all for no services', () => {
    expect(renderServiceList(dockerCase, { quiet: true })).toBe('02_bar\n01_baz\n04_qux2\n03_qux10\n');
    expect(renderServiceList([], { quiet: true })).toBe('');
    expect(renderServiceList([])).toBe('ID        NAME      MODE      REPLICAS   IMAGE     PORTS\n');
  });

  test("--format json: one object per line, Go's sorted keys and HTML escaping; -q ignored", () => {
    const lines = [
      '{"ID":"02_bar","Image":"","Mode":"replicated","Name":"bar","Ports":"*:80-\\u003e8090/udp","Replicas":"2/4"}',
      '{"ID":"01_baz","Image":"","Mode":"global","Name":"baz","Ports":"*:80-\\u003e8080/tcp","Replicas":"1/3"}',
      '{"ID":"04_qux2","Image":"","Mode":"replicated","Name":"qux2","Ports":"","Replicas":"3/3 (max 2 per node)"}',
      '{"ID":"03_qux10","Image":"","Mode":"replicated","Name":"qux10","Ports":"","Replicas":"2/3 (max 1 per node)"}',
    ];
    expect(renderServiceList(dockerCase, { format: 'json' })).toBe(lines.join('\n') + '\n');
    expect(renderServiceList(dockerCase, { format: 'json', quiet: true })).toBe(lines.join('\n') + '\n');
    expect(JSON.parse(lines[0]).Ports).toBe('*:80->8090/udp');
  });

  test('ids cut to 12, images without digest or docker.io prefix when tagged, global max-per-node not shown', () => {
    const out = renderServiceList(
      deepFreeze([
        {
          service: service('kz8jxeu0k3ab7c9d0e1f2g3h4', 'web', (s) => {
            s.task.container.image = 'docker.io/library/nginx:1.25@sha256:0123abcd';
          }),
          running: 0,
          desired: 1,
        },
        {
          service: service('q1w2e3r4t5y6u7i8o9p0a1s2d', 'agent', (s) => {
            s.mode = 'global';
            s.task.container.image = 'registry.local:5000/agent@sha256:feed';
            s.task.placement.maxReplicas = 1;
            s.endpoint.ports = [port(9000, 9000, 'tcp', 'host')];
          }),
          running: 5,
          desired: 5,
        },
      ]),
    );
    expect(out).toBe(
      [
        'ID             NAME      MODE         REPLICAS   IMAGE                                   PORTS',
        'q1w2e3r4t5y6   agent     global       5/5        registry.local:5000/agent@sha256:feed',
        'kz8jxeu0k3ab   web       replicated   0/1        nginx:1.25',
        '',
      ].join('\n'),
    );
  });
});

describe('PORTS column', () => {
  test('the ports as the leader allocated them: a port published as 0 shows the one it got', () => {
    const entry = (allocated: boolean): ServiceListEntry => ({
      service: {
        ...service('w', 'web', (s) => {
          s.endpoint.ports = [port(0, 80), port(8443, 443)];
        }),
        ...(allocated ? { endpoint: { virtualIPs: [], ports: [port(30000, 80), port(8443, 443)] } } : {}),
      },
      running: 1,
      desired: 1,
    });
    const ports = (e: ServiceListEntry) => renderServiceList([e], { format: 'json' });
    expect(JSON.parse(ports(entry(true))).Ports).toBe('*:8443->443/tcp, *:30000->80/tcp');
    // Not allocated yet: what the spec asks, where a port still to be picked is left out, as docker leaves it.
    expect(JSON.parse(ports(entry(false))).Ports).toBe('*:8443->443/tcp');
  });

  test("docker's grouping into ranges (its own test case, sctp left out)", () => {
    const ports = [
      port(81, 80), port(80, 80), port(95, 95), port(90, 90), port(91, 91), port(92, 92), port(93, 93), port(94, 94),
      port(95, 95, 'udp'), port(90, 90, 'udp'), port(96, 96, 'udp'), port(91, 91, 'udp'), port(92, 92, 'udp'),
      port(93, 93, 'udp'), port(94, 94, 'udp'), port(60, 60), port(61, 61), port(62, 61),
    ];
    expect(servicePortsText(ports)).toBe('*:60-61->60-61/tcp, *:62->61/tcp, *:80-81->80/tcp, *:90-95->90-95/tcp, *:90-96->90-96/udp');
  });
  test('ingress ports only; a port not yet published is left out; a lower target starts a new range', () => {
    expect(servicePortsText([port(8080, 80, 'tcp', 'host')])).toBe('');
    expect(servicePortsText([port(0, 9090), port(53, 53), port(8000, 80), port(8001, 81), port(53, 53, 'udp')])).toBe(
      '*:53->53/tcp, *:8000-8001->80-81/tcp, *:53->53/udp',
    );
    expect(servicePortsText([port(80, 80), port(81, 81), port(82, 80)])).toBe('*:80-81->80-81/tcp, *:82->80/tcp');
  });
});
