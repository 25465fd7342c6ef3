import type { Service } from '../../../lib/api/service-types';
import { renderServiceInspect } from '../../../lib/cli/render/service-inspect';
import { buildServiceSpec } from '../../../lib/cli/service-flags';
import { deepFreeze } from '../../../lib/manager/store/deep-freeze';

const ctx = { env: {}, cwd: '/', readFile: () => '' };
const META = { version: 315, createdAt: '2024-05-01T10:00:00.123456789Z', updatedAt: '2024-05-01T10:05:00Z' };

const minimal: Service = { id: 'bare00000000000000000000a', meta: META, spec: buildServiceSpec({ name: 'bare' }, 'busybox', [], ctx) };

const full: Service = {
  id: 'de179gar9d0o7ltdybungplod',
  meta: META,
  spec: buildServiceSpec(
    {
      name: 'web',
      replicas: '3',
      label: ['tier=front', 'a<b'],
      containerLabel: ['log=json'],
      env: ['A=1', 'B=two words'],
      constraint: ['node.role==worker', 'node.labels.zone==east'],
      placementPref: ['spread=node.labels.zone'],
      replicasMaxPerNode: '2',
      reserveCpu: '0.5',
      reserveMemory: '64M',
      limitCpu: '1.5',
      limitMemory: '1g',
      publish: ['8080:80', 'published=9000,target=9000,mode=host'],
      mount: ['type=bind,src=/srv,dst=/data,ro', 'target=/cache'],
      workdir: '/app',
      user: 'www',
      hostname: 'h',
      entrypoint: 'tini --',
      healthCmd: 'curl -f localhost',
      healthInterval: '30s',
      healthRetries: '3',
      restartCondition: 'on-failure',
      restartWindow: '1m',
      updateParallelism: '2',
      updateDelay: '10s',
      updateOrder: 'start-first',
    },
    'nginx:1.25',
    ['nginx', '-g', 'daemon off;'],
    ctx,
  ),
};

describe('service inspect, JSON', () => {
  test("a default service: docker's shape and key order, four-space indent, defaults inserted", () => {
    expect(renderServiceInspect(deepFreeze([minimal]))).toBe(
      `[
    {
        "ID": "bare00000000000000000000a",
        "Version": {
            "Index": 315
        },
        "CreatedAt": "2024-05-01T10:00:00.123456789Z",
        "UpdatedAt": "2024-05-01T10:05:00Z",
        "Spec": {
            "Name": "bare",
            "Labels": {},
            "TaskTemplate": {
                "ContainerSpec": {
                    "Image": "busybox",
                    "StopGracePeriod": 10000000000
                },
                "Resources": {
                    "Limits": {},
                    "Reservations": {}
                },
                "RestartPolicy": {
                    "Condition": "any",
                    "Delay": 5000000000,
                    "MaxAttempts": 0
                },
                "Placement": {},
                "ForceUpdate": 0,
                "Runtime": "container"
            },
            "Mode": {
                "Replicated": {
                    "Replicas": 1
                }
            },
            "UpdateConfig": {
                "Parallelism": 1,
                "FailureAction": "pause",
                "Monitor": 5000000000,
                "MaxFailureRatio": 0,
                "Order": "stop-first"
            },
            "RollbackConfig": {
                "Parallelism": 1,
                "FailureAction": "pause",
                "Monitor": 5000000000,
                "MaxFailureRatio": 0,
                "Order": "stop-first"
            },
            "EndpointSpec": {
                "Mode": "vip"
            }
        },
        "Endpoint": {
            "Spec": {
                "Mode": "vip"
            }
        }
    }
]
`,
    );
  });

  test('every field we keep, in docker units (nanoseconds, nano-CPUs, bytes), labels sorted and HTML-escaped', () => {
    const text = renderServiceInspect(deepFreeze([full]));
    expect(text).toContain('"a\\u003cb": ""');
    const [json] = JSON.parse(text);
    expect(Object.keys(json)).toEqual(['ID', 'Version', 'CreatedAt', 'UpdatedAt', 'Spec', 'Endpoint']);
    expect(Object.keys(json.Spec)).toEqual(['Name', 'Labels', 'TaskTemplate', 'Mode', 'UpdateConfig', 'RollbackConfig', 'EndpointSpec']);
    expect(Object.keys(json.Spec.Labels)).toEqual(['a<b', 'tier']);
    const ports = [
      { Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' },
      { Protocol: 'tcp', TargetPort: 9000, PublishedPort: 9000, PublishMode: 'host' },
    ];
    expect(json.Spec.TaskTemplate).toEqual({
      ContainerSpec: {
        Image: 'nginx:1.25',
        Labels: { log: 'json' },
        Command: ['tini', '--'],
        Args: ['nginx', '-g', 'daemon off;'],
        Hostname: 'h',
        Env: ['A=1', 'B=two words'],
        Dir: '/app',
        User: 'www',
        Mounts: [
          { Type: 'bind', Source: '/srv', Target: '/data', ReadOnly: true },
          { Type: 'volume', Target: '/cache' },
        ],
        StopGracePeriod: 10_000_000_000,
        Healthcheck: { Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 30_000_000_000, Retries: 3 },
      },
      Resources: {
        Limits: { NanoCPUs: 1_500_000_000, MemoryBytes: 1024 ** 3 },
        Reservations: { NanoCPUs: 500_000_000, MemoryBytes: 64 * 1024 ** 2 },
      },
      RestartPolicy: { Condition: 'on-failure', Delay: 5_000_000_000, MaxAttempts: 0, Window: 60_000_000_000 },
      Placement: {
        Constraints: ['node.role==worker', 'node.labels.zone==east'],
        Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }],
        MaxReplicas: 2,
      },
      ForceUpdate: 0,
      Runtime: 'container',
    });
    expect(Object.keys(json.Spec.TaskTemplate.ContainerSpec)).toEqual([
      'Image', 'Labels', 'Command', 'Args', 'Hostname', 'Env', 'Dir', 'User', 'Mounts', 'StopGracePeriod', 'Healthcheck',
    ]);
    expect(json.Spec.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(json.Spec.UpdateConfig).toEqual({
      Parallelism: 2,
      Delay: 10_000_000_000,
      FailureAction: 'pause',
      Monitor: 5_000_000_000,
      MaxFailureRatio: 0,
      Order: 'start-first',
    });
    expect(json.Spec.EndpointSpec).toEqual({ Mode: 'vip', Ports: ports });
    expect(json.Endpoint).toEqual({ Spec: { Mode: 'vip', Ports: ports }, Ports: ports });
  });

  test('global mode, the previous spec before Endpoint, several services in one array, none as []', () => {
    const global: Service = {
      id: 'g',
      meta: META,
      spec: buildServiceSpec({ name: 'agent', mode: 'global' }, 'agent:2', [], ctx),
      previousSpec: minimal.spec,
    };
    const parsed = JSON.parse(renderServiceInspect(deepFreeze([global, minimal])));
    expect(parsed).toHaveLength(2);
    expect(parsed[0].Spec.Mode).toEqual({ Global: {} });
    expect(Object.keys(parsed[0])).toEqual(['ID', 'Version', 'CreatedAt', 'UpdatedAt', 'Spec', 'PreviousSpec', 'Endpoint']);
    expect(parsed[0].PreviousSpec.Name).toBe('bare');
    expect(renderServiceInspect([])).toBe('[]\n');
  });
});

describe('service inspect --pretty', () => {
  test("docker's template: a blank line before, one after, tabs as docker writes them", () => {
    expect(renderServiceInspect(deepFreeze([full]), { pretty: true })).toBe(
      [
        '',
        'ID:\t\tde179gar9d0o7ltdybungplod',
        'Name:\t\tweb',
        'Labels:',
        ' a<b',
        ' tier=front',
        'Service Mode:\tReplicated',
        ' Replicas:\t3',
        'Placement:',
        ' Constraints:\t[node.role==worker node.labels.zone==east]',
        ' Preferences:   [spread=node.labels.zone]',
        ' Max Replicas Per Node:   2',
        'UpdateConfig:',
        ' Parallelism:\t2',
        ' Delay:\t\t10s',
        ' On failure:\tpause',
        ' Monitoring Period: 5s',
        ' Max failure ratio: 0',
        ' Update order:      start-first',
        'RollbackConfig:',
        ' Parallelism:\t1',
        ' On failure:\tpause',
        ' Monitoring Period: 5s',
        ' Max failure ratio: 0',
        ' Rollback order:    stop-first',
        'ContainerSpec:',
        ' Image:\t\tnginx:1.25',
        ' Args:\t\tnginx -g daemon off;',
        ' Env:\t\tA=1 B=two words',
        ' Dir:\t\t/app',
        ' User: www',
        'Mounts:',
        ' Target:\t/data',
        '  Source:\t/srv',
        '  ReadOnly:\ttrue',
        '  Type:\t\tbind',
        ' Target:\t/cache',
        '  Source:\t',
        '  ReadOnly:\tfalse',
        '  Type:\t\tvolume',
        'Resources:',
        ' Reservations:',
        '  CPU:\t\t0.5',
        '  Memory:\t64MiB',
        ' Limits:',
        '  CPU:\t\t1.5',
        '  Memory:\t1GiB',
        'Endpoint Mode:\tvip',
        'Ports:',
        ' PublishedPort = 8080',
        '  Protocol = tcp',
        '  TargetPort = 80',
        '  PublishMode = ingress',
        ' PublishedPort = 9000',
        '  Protocol = tcp',
        '  TargetPort = 9000',
        '  PublishMode = host',
        ' Healthcheck:',
        '  Interval = 30s',
        '  Retries = 3',
        '  StartPeriod =\t0s',
        '  Timeout =\t0s',
        '  Tests:',
        '\t Test = CMD-SHELL',
        '\t Test = curl -f localhost',
        '',
        '',
      ].join('\n'),
    );
  });

  test('a global service with nothing set: empty Placement and Resources headings stay, as in docker', () => {
    const global: Service = { id: 'g1', meta: META, spec: buildServiceSpec({ name: 'agent', mode: 'global', healthcheck: false }, 'agent:2', [], ctx) };
    expect(renderServiceInspect([minimal, global], { pretty: true })).toBe(
      [
        '',
        'ID:\t\tbare00000000000000000000a',
        'Name:\t\tbare',
        'Service Mode:\tReplicated',
        ' Replicas:\t1',
        'Placement:',
        'UpdateConfig:',
        ' Parallelism:\t1',
        ' On failure:\tpause',
        ' Monitoring Period: 5s',
        ' Max failure ratio: 0',
        ' Update order:      stop-first',
        'RollbackConfig:',
        ' Parallelism:\t1',
        ' On failure:\tpause',
        ' Monitoring Period: 5s',
        ' Max failure ratio: 0',
        ' Rollback order:    stop-first',
        'ContainerSpec:',
        ' Image:\t\tbusybox',
        'Resources:',
        'Endpoint Mode:\tvip',
        '',
        '',
        'ID:\t\tg1',
        'Name:\t\tagent',
        'Service Mode:\tGlobal',
        'Placement:',
        'UpdateConfig:',
        ' Parallelism:\t1',
        ' On failure:\tpause',
        ' Monitoring Period: 5s',
        ' Max failure ratio: 0',
        ' Update order:      stop-first',
        'RollbackConfig:',
        ' Parallelism:\t1',
        ' On failure:\tpause',
        ' Monitoring Period: 5s',
        ' Max failure ratio: 0',
        ' Rollback order:    stop-first',
        'ContainerSpec:',
        ' Image:\t\tagent:2',
        'Resources:',
        'Endpoint Mode:\tvip',
        ' Healthcheck:',
        '  Interval = 0s',
        '  Retries = 0',
        '  StartPeriod =\t0s',
        '  Timeout =\t0s',
        '  Tests:',
        '\t Test = NONE',
        '',
        '',
      ].join('\n'),
    );
  });
});

describe('service inspect: networks and the allocated endpoint', () => {
  const attached: Service = {
    id: 'net0000000000000000000000',
    meta: META,
    spec: buildServiceSpec({ name: 'api', publish: ['80', '8443:443'], network: ['name=front,alias=www', 'back'] }, 'api:1', [], ctx),
    endpoint: {
      virtualIPs: [
        { networkId: 'i1ngress0000000000000000a', addr: '100.64.0.5/20' },
        { networkId: 'f1r0nt00000000000000000zz', addr: '100.64.16.2/20' },
      ],
      ports: [
        { protocol: 'tcp', targetPort: 80, publishedPort: 30000, publishMode: 'ingress' },
        { protocol: 'tcp', targetPort: 443, publishedPort: 8443, publishMode: 'ingress' },
      ],
    },
  };
  // As the manager stores them: the attachments name networks by id.
  attached.spec.task.networks = [
    { target: 'f1r0nt00000000000000000zz', aliases: ['www'] },
    { target: 'b4ck0000000000000000000zz', aliases: [] },
  ];

  test('TaskTemplate.Networks between Placement and ForceUpdate, Aliases left out when empty', () => {
    const [json] = JSON.parse(renderServiceInspect(deepFreeze([attached])));
    expect(Object.keys(json.Spec.TaskTemplate)).toEqual(['ContainerSpec', 'Resources', 'RestartPolicy', 'Placement', 'Networks', 'ForceUpdate', 'Runtime']);
    expect(json.Spec.TaskTemplate.Networks).toEqual([{ Target: 'f1r0nt00000000000000000zz', Aliases: ['www'] }, { Target: 'b4ck0000000000000000000zz' }]);
  });

  test("Endpoint: the spec as asked (published 0), the ports as allocated, the VIPs as docker's VirtualIPs", () => {
    const [json] = JSON.parse(renderServiceInspect(deepFreeze([attached])));
    expect(json.Endpoint).toEqual({
      Spec: {
        Mode: 'vip',
        Ports: [
          { Protocol: 'tcp', TargetPort: 80, PublishMode: 'ingress' },
          { Protocol: 'tcp', TargetPort: 443, PublishedPort: 8443, PublishMode: 'ingress' },
        ],
      },
      Ports: [
        { Protocol: 'tcp', TargetPort: 80, PublishedPort: 30000, PublishMode: 'ingress' },
        { Protocol: 'tcp', TargetPort: 443, PublishedPort: 8443, PublishMode: 'ingress' },
      ],
      VirtualIPs: [
        { NetworkID: 'i1ngress0000000000000000a', Addr: '100.64.0.5/20' },
        { NetworkID: 'f1r0nt00000000000000000zz', Addr: '100.64.16.2/20' },
      ],
    });
  });

  test('--pretty: "Networks:" with the names docker resolves (an unknown id as itself), ports as allocated', () => {
    const text = renderServiceInspect(deepFreeze([attached]), { pretty: true, networkNames: { f1r0nt00000000000000000zz: 'front' } });
    const lines = text.split('\n');
    const at = lines.indexOf('Networks: front b4ck0000000000000000000zz');
    expect(at).toBeGreaterThan(lines.indexOf('Resources:'));
    expect(lines.slice(at + 1, at + 7)).toEqual([
      'Endpoint Mode:\tvip',
      'Ports:',
      ' PublishedPort = 30000',
      '  Protocol = tcp',
      '  TargetPort = 80',
      '  PublishMode = ingress',
    ]);
  });

  test('no networks: no Networks key and no "Networks:" line', () => {
    expect(renderServiceInspect(deepFreeze([minimal]))).not.toContain('Networks');
    expect(renderServiceInspect(deepFreeze([minimal]), { pretty: true })).not.toContain('Networks');
  });
});

describe('service inspect: UpdateStatus', () => {
  const withStatus = (updateStatus: Service['updateStatus']): Service => ({ ...minimal, updateStatus });
  const now = Date.parse('2024-05-01T10:10:00Z');

  test("JSON: docker's keys after Endpoint, CompletedAt only when set, our sinceVersion left out", () => {
    const paused = withStatus({ state: 'paused', startedAt: '2024-05-01T10:05:00Z', message: 'update paused due to failure or early termination of task t1', sinceVersion: 300 });
    const json = JSON.parse(renderServiceInspect([deepFreeze(paused)])) as Record<string, unknown>[];
    expect(Object.keys(json[0]).slice(-2)).toEqual(['Endpoint', 'UpdateStatus']);
    expect(json[0].UpdateStatus).toEqual({ State: 'paused', StartedAt: '2024-05-01T10:05:00Z', Message: 'update paused due to failure or early termination of task t1' });
    const done = withStatus({ state: 'completed', startedAt: '2024-05-01T10:05:00Z', completedAt: '2024-05-01T10:06:00Z', message: 'update completed' });
    expect((JSON.parse(renderServiceInspect([deepFreeze(done)])) as Record<string, unknown>[])[0].UpdateStatus).toEqual({
      State: 'completed',
      StartedAt: '2024-05-01T10:05:00Z',
      CompletedAt: '2024-05-01T10:06:00Z',
      Message: 'update completed',
    });
    expect(JSON.parse(renderServiceInspect([deepFreeze(minimal)]))[0]).not.toHaveProperty('UpdateStatus');
  });

  test('--pretty: the UpdateStatus block after the mode, as docker writes it (Completed for a completed update only)', () => {
    const done = withStatus({ state: 'completed', startedAt: '2024-05-01T10:05:00Z', completedAt: '2024-05-01T10:08:00Z', message: 'update completed' });
    expect(renderServiceInspect([deepFreeze(done)], { pretty: true, now })).toContain(
      'Service Mode:\tReplicated\n Replicas:\t1\nUpdateStatus:\n State:\t\tcompleted\n Started:\t5 minutes ago\n Completed:\t2 minutes ago\n Message:\tupdate completed\nPlacement:\n',
    );
    const rolled = withStatus({ state: 'rollback_completed', startedAt: '2024-05-01T10:05:00Z', completedAt: '2024-05-01T10:08:00Z', message: 'rollback completed' });
    expect(renderServiceInspect([deepFreeze(rolled)], { pretty: true, now })).toContain('UpdateStatus:\n State:\t\trollback_completed\n Started:\t5 minutes ago\n Message:\trollback completed\n');
    expect(renderServiceInspect([deepFreeze(minimal)], { pretty: true, now })).not.toContain('UpdateStatus');
  });
});

describe('service inspect: secrets and configs', () => {
  const spec = buildServiceSpec({ name: 'db', secret: ['source=db_pw,target=pw,mode=0400'], config: ['conf'] }, 'busybox', [], ctx);
  spec.task.container.secrets![0].secretId = 'sec0000000000000000000001';
  spec.task.container.configs![0].configId = 'cfg0000000000000000000001';
  const svc: Service = { id: 'db000000000000000000000a1', meta: META, spec };

  test("JSON: docker's SecretReference and ConfigReference, after the healthcheck", () => {
    const [json] = JSON.parse(renderServiceInspect(deepFreeze([svc]))) as { Spec: { TaskTemplate: { ContainerSpec: Record<string, unknown> } } }[];
    const c = json.Spec.TaskTemplate.ContainerSpec;
    expect(c.Secrets).toEqual([{ File: { Name: 'pw', UID: '0', GID: '0', Mode: 256 }, SecretID: 'sec0000000000000000000001', SecretName: 'db_pw' }]);
    expect(c.Configs).toEqual([{ File: { Name: '/conf', UID: '0', GID: '0', Mode: 292 }, ConfigID: 'cfg0000000000000000000001', ConfigName: 'conf' }]);
    expect(Object.keys(c).slice(-2)).toEqual(['Secrets', 'Configs']);
    // A service without them has neither key.
    const [bare] = JSON.parse(renderServiceInspect(deepFreeze([minimal]))) as { Spec: { TaskTemplate: { ContainerSpec: Record<string, unknown> } } }[];
    expect(Object.keys(bare.Spec.TaskTemplate.ContainerSpec)).not.toContain('Secrets');
  });

  test('--pretty lists each target and source', () => {
    const text = renderServiceInspect(deepFreeze([svc]), { pretty: true });
    expect(text).toContain('Secrets:\n Target:\tpw\n  Source:\tdb_pw\nConfigs:\n Target:\t/conf\n  Source:\tconf\nResources:');
  });
});
