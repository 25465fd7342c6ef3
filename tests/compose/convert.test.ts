import { DEFAULT_RESTART_POLICY, DEFAULT_STOP_GRACE_MS } from '../../lib/api/service-types';
import { convertStack } from '../../lib/compose';
import { issueLines, load, yaml } from './helpers';

// Each compose key that matters to a cluster, as a ServiceSpec.

function convert(text: string | string[], env: Record<string, string> = {}, files?: Record<string, string>) {
  const stack = load(text, {
    env,
    readEnvFile: (p) => {
      if (!files || files[p] === undefined) throw new Error('ENOENT');
      return files[p];
    },
  });
  return convertStack(stack, 'app');
}

function spec(...lines: string[]) {
  const out = convert(yaml('services:', '  web:', ...lines), { HOME: '/home/me' });
  return { spec: out.services[0], notices: out.notices };
}

describe('names and labels', () => {
  test('services are named STACK_SERVICE and labelled with the namespace and the image as written', () => {
    const { spec: s } = spec('    image: nginx:1.25', '    labels: [role=front]', '    deploy:', '      labels: {team: web}');
    expect(s.name).toBe('app_web');
    expect(s.labels).toEqual({ team: 'web', 'com.docker.stack.namespace': 'app', 'com.docker.stack.image': 'nginx:1.25' });
    expect(s.task.container.labels).toEqual({ role: 'front', 'com.docker.stack.namespace': 'app' });
    expect(s.task.container.image).toBe('nginx:1.25');
  });

  test('labels as a map take numbers and nulls as strings', () => {
    const { spec: s } = spec('    image: x', '    labels: {a: 1, b: null, c: 1.5, d: ""}');
    expect(s.task.container.labels).toEqual({ a: '1', b: '', c: '1.5', d: '', 'com.docker.stack.namespace': 'app' });
  });

  test('an invalid service name or stack name is refused', () => {
    expect(issueLines(() => convert(yaml('services:', '  web.v2:', '    image: x')))).toEqual([
      '2:3 services.web.v2: service name app_web.v2 is not valid: use letters and digits with - or _ between them, at most 63 characters',
    ]);
    expect(() => convertStack(load(yaml('services:', '  a:', '    image: x')), ' "" ')).toThrow('invalid stack name: " \\"\\" "');
  });
});

describe('command, entrypoint, environment', () => {
  test('strings are split into words as a shell would; lists are kept', () => {
    const { spec: s } = spec('    image: x', `    entrypoint: /bin/sh -c`, `    command: "echo \\"hello world\\" it\\\\'s"`);
    expect(s.task.container.command).toEqual(['/bin/sh', '-c']);
    expect(s.task.container.args).toEqual(['echo', 'hello world', "it's"]);
    const { spec: t } = spec('    image: x', '    command: [sh, -c, "echo $$HOME"]');
    expect(t.task.container.args).toEqual(['sh', '-c', 'echo $HOME']);
    expect(t.task.container.command).toBeUndefined();
  });

  test('a block scalar command (corpus 16) is split across lines', () => {
    const { spec: s } = spec('    image: x', '    command: |', '      logstash -e', "      'input { stdin {} }'");
    expect(s.task.container.args).toEqual(['logstash', '-e', 'input { stdin {} }']);
  });

  test('environment: list or map, null values from the environment, sorted; env_file first', () => {
    const out = convert(
      yaml(
        'services:',
        '  web:',
        '    image: x',
        '    env_file: [./common.env, ./local.env]',
        '    environment:',
        '      FROM_ENV:',
        '      MISSING:',
        '      NUMBER: 5',
        '      OVERRIDDEN: by-environment',
        '      EMPTY: ""',
        '      TEMPLATE: "{{.Task.Slot}}"',
      ),
      { FROM_ENV: 'env-value', EMPTY: 'filled', FROM_FILE_LOOKUP: 'looked-up' },
      { '/stack/common.env': '# comment\nOVERRIDDEN=by-file\n  SPACED=kept \nFROM_FILE_LOOKUP\nNOT_SET_ANYWHERE\n', '/stack/local.env': 'QUOTED="q"\n' },
    );
    expect(out.services[0].task.container.env).toEqual([
      'EMPTY=filled',
      'FROM_ENV=env-value',
      'FROM_FILE_LOOKUP=looked-up',
      'MISSING',
      'NUMBER=5',
      'OVERRIDDEN=by-environment',
      'QUOTED="q"',
      'SPACED=kept ',
      'TEMPLATE={{.Task.Slot}}',
    ]);
  });

  test('an env_file that cannot be read, or is malformed, is an error at its entry', () => {
    expect(issueLines(() => convert(yaml('services:', '  web:', '    image: x', '    env_file: missing.env')))).toEqual([
      '4:15 services.web.env_file: cannot read env file /stack/missing.env: ENOENT',
    ]);
    expect(
      issueLines(() => convert(yaml('services:', '  web:', '    image: x', '    env_file: bad.env'), {}, { '/stack/bad.env': 'A=1\nB C=2\n' })),
    ).toEqual(["2:1 : invalid env file: variable 'B C' contains whitespaces"]);
  });
});

describe('ports', () => {
  test('short syntax: ranges, protocols, host IPs; long syntax with modes; sorted as docker sorts', () => {
    const { spec: s, notices } = spec(
      '    image: x',
      '    ports:',
      '      - 80',
      '      - "8080:80"',
      '      - "9090-9091:8080-8081"',
      '      - "127.0.0.1:5000:5000"',
      '      - "12201:12201/udp"',
      '      - target: 443',
      '        published: 8443',
      '        mode: host',
      '      - target: 22',
      '        protocol: tcp',
    );
    expect(s.endpoint.ports).toEqual([
      { protocol: 'tcp', targetPort: 22, publishedPort: 0, publishMode: 'ingress' },
      { protocol: 'tcp', targetPort: 80, publishedPort: 0, publishMode: 'ingress' },
      { protocol: 'tcp', targetPort: 5000, publishedPort: 5000, publishMode: 'ingress' },
      { protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'ingress' },
      { protocol: 'tcp', targetPort: 443, publishedPort: 8443, publishMode: 'host' },
      { protocol: 'tcp', targetPort: 8080, publishedPort: 9090, publishMode: 'ingress' },
      { protocol: 'tcp', targetPort: 8081, publishedPort: 9091, publishMode: 'ingress' },
      { protocol: 'udp', targetPort: 12201, publishedPort: 12201, publishMode: 'ingress' },
    ]);
    expect(notices).toContain("service web: ignoring IP-address (127.0.0.1:5000) service will listen on '0.0.0.0'");
  });

  test('a container range without host ports publishes nothing; a host range for one port publishes each', () => {
    const { spec: s } = spec('    image: x', '    ports: ["3000-3002", "8000-8001:80"]');
    expect(s.endpoint.ports.map((p) => `${p.publishedPort}:${p.targetPort}`)).toEqual(['0:3000', '0:3001', '0:3002', '8000:80', '8001:80']);
  });

  test('sctp cannot be published here', () => {
    expect(issueLines(() => convert(yaml('services:', '  web:', '    image: x', '    ports: ["5000:5000/sctp"]')))).toEqual([
      '4:13 services.web.ports[0]: protocol sctp is not supported yet (use tcp or udp)',
    ]);
  });

  test('endpoint_mode', () => {
    expect(spec('    image: x', '    deploy: {endpoint_mode: DNSRR}').spec.endpoint.mode).toBe('dnsrr');
    expect(spec('    image: x').spec.endpoint.mode).toBe('vip');
  });
});

describe('deploy', () => {
  test('mode and replicas', () => {
    expect(spec('    image: x').spec).toMatchObject({ mode: 'replicated', replicas: 1 });
    expect(spec('    image: x', '    deploy: {replicas: 0}').spec).toMatchObject({ mode: 'replicated', replicas: 0 });
    expect(spec('    image: x', '    deploy: {mode: replicated, replicas: 5}').spec).toMatchObject({ mode: 'replicated', replicas: 5 });
    expect(spec('    image: x', '    deploy: {mode: global}').spec).toMatchObject({ mode: 'global', replicas: 0 });
    expect(issueLines(() => convert(yaml('services:', '  web:', '    image: x', '    deploy: {mode: replicated-job}')))).toEqual([
      '4:20 services.web.deploy.mode: mode replicated-job is not supported yet (use replicated or global)',
    ]);
  });

  test('placement: constraints, preferences, max replicas per node', () => {
    const { spec: s } = spec(
      '    image: x',
      '    deploy:',
      '      placement:',
      '        constraints: [node.role == manager, node.labels.ssd==true]',
      '        preferences: [{spread: node.labels.zone}, {spread: node.labels.rack}]',
      '        max_replicas_per_node: 2',
    );
    expect(s.task.placement).toEqual({
      constraints: ['node.role == manager', 'node.labels.ssd==true'],
      preferences: [{ spread: 'node.labels.zone' }, { spread: 'node.labels.rack' }],
      maxReplicas: 2,
    });
  });

  test('resources: cpus as string or number, memory with units', () => {
    const { spec: s } = spec(
      '    image: x',
      '    deploy:',
      '      resources:',
      '        limits: {cpus: "0.50", memory: 512M}',
      '        reservations: {cpus: 0.25, memory: 1G}',
    );
    expect(s.task.resources).toEqual({
      limits: { nanoCPUs: 500_000_000, memoryBytes: 512 * 1024 ** 2 },
      reservations: { nanoCPUs: 250_000_000, memoryBytes: 1024 ** 3 },
    });
    expect(spec('    image: x', '    deploy: {resources: {reservations: {memory: 64m}}}').spec.task.resources.limits).toEqual({ nanoCPUs: 0, memoryBytes: 0 });
  });

  test('restart_policy, with docker defaults for what is not given', () => {
    expect(spec('    image: x').spec.task.restartPolicy).toEqual(DEFAULT_RESTART_POLICY);
    expect(
      spec('    image: x', '    deploy:', '      restart_policy: {condition: on-failure, delay: 1m30s, max_attempts: 3, window: 2m}').spec.task.restartPolicy,
    ).toEqual({ condition: 'on-failure', delayMs: 90_000, maxAttempts: 3, windowMs: 120_000 });
    expect(spec('    image: x', '    deploy: {restart_policy: {condition: none}}').spec.task.restartPolicy).toEqual({
      condition: 'none',
      delayMs: 5000,
      maxAttempts: 0,
      windowMs: 0,
    });
    expect(spec('    image: x', '    deploy: {restart_policy: {delay: 600s}}').spec.task.restartPolicy.condition).toBe('any');
  });

  test('restart: is the fallback restart policy, with a notice', () => {
    const cases: [string, string, number][] = [
      ['always', 'any', 0],
      ['unless-stopped', 'any', 0],
      ['on-failure', 'on-failure', 0],
      ['on-failure:5', 'on-failure', 5],
      ['"no"', 'none', 0],
    ];
    for (const [restart, condition, maxAttempts] of cases) {
      const { spec: s, notices } = spec('    image: x', `    restart: ${restart}`);
      expect(s.task.restartPolicy).toEqual({ condition, delayMs: 5000, maxAttempts, windowMs: 0 });
      expect(notices).toContain(
        `service web: restart: ${restart.replace(/"/g, '')} is used as the restart policy (condition ${condition}) since deploy.restart_policy is not given`,
      );
    }
    // deploy.restart_policy wins.
    expect(spec('    image: x', '    restart: always', '    deploy: {restart_policy: {condition: none}}').spec.task.restartPolicy.condition).toBe('none');
  });

  test('update_config and rollback_config are stored with every field', () => {
    const { spec: s } = spec(
      '    image: x',
      '    deploy:',
      '      update_config: {parallelism: 2, delay: 10s, failure_action: rollback, monitor: 1m, max_failure_ratio: .3, order: start-first}',
      '      rollback_config: {parallelism: 0}',
    );
    expect(s.update).toEqual({ parallelism: 2, delayMs: 10_000, failureAction: 'rollback', monitorMs: 60_000, maxFailureRatio: 0.3, order: 'start-first' });
    expect(s.rollback).toEqual({ parallelism: 0, delayMs: 0, failureAction: 'pause', monitorMs: 5000, maxFailureRatio: 0, order: 'stop-first' });
    expect(spec('    image: x').spec.update).toBeUndefined();
  });
});

describe('container settings', () => {
  test('healthcheck: every form', () => {
    expect(spec('    image: x', '    healthcheck:', '      test: curl -f http://localhost || exit 1').spec.task.container.healthcheck).toEqual({
      test: ['CMD-SHELL', 'curl -f http://localhost || exit 1'],
    });
    expect(
      spec('    image: x', '    healthcheck:', '      test: [CMD, pg_isready]', '      interval: 30s', '      timeout: 5s', '      retries: 3', '      start_period: 1m')
        .spec.task.container.healthcheck,
    ).toEqual({ test: ['CMD', 'pg_isready'], intervalMs: 30_000, timeoutMs: 5000, retries: 3, startPeriodMs: 60_000 });
    expect(spec('    image: x', '    healthcheck: {disable: true}').spec.task.container.healthcheck).toEqual({ test: ['NONE'] });
    expect(spec('    image: x', '    healthcheck: {interval: 5s}').spec.task.container.healthcheck).toEqual({ test: [], intervalMs: 5000 });
  });

  test('stop_grace_period, user, working_dir, hostname with a Go template', () => {
    const c = spec('    image: x', '    stop_grace_period: 1m30s', '    user: "1000:1000"', '    working_dir: /app', '    hostname: "{{.Node.Hostname}}-{{.Task.Slot}}"')
      .spec.task.container;
    expect(c).toMatchObject({ stopGracePeriodMs: 90_000, user: '1000:1000', dir: '/app', hostname: '{{.Node.Hostname}}-{{.Task.Slot}}' });
    expect(spec('    image: x').spec.task.container.stopGracePeriodMs).toBe(DEFAULT_STOP_GRACE_MS);
  });

  test('volumes: named, anonymous, bind (relative and ~), read-only, long syntax', () => {
    const { spec: s, notices } = spec(
      '    image: x',
      '    volumes:',
      '      - data:/var/lib/data',
      '      - named:/named:ro',
      '      - /cache',
      '      - ./conf:/etc/conf:ro',
      '      - ~/logs:/logs',
      '      - type: volume',
      '        source: data',
      '        target: /{{.Task.Slot}}/data',
      '        read_only: true',
      '      - type: bind',
      '        source: /var/run/docker.sock',
      '        target: /var/run/docker.sock',
      '        bind: {propagation: rshared}',
      '      - type: tmpfs',
      '        target: /tmp',
      '      - ext:/ext',
      'volumes:',
      '  data: {labels: [tier=db]}',
      '  named: {name: shared-data}',
      '  ext: {external: true, name: outside}',
    );
    const stackLabel = { 'com.docker.stack.namespace': 'app' };
    expect(s.task.container.mounts).toEqual([
      { type: 'volume', source: 'app_data', target: '/var/lib/data', readOnly: false, labels: { tier: 'db', ...stackLabel } },
      { type: 'volume', source: 'shared-data', target: '/named', readOnly: true, labels: stackLabel },
      { type: 'volume', source: '', target: '/cache', readOnly: false },
      { type: 'bind', source: '/stack/conf', target: '/etc/conf', readOnly: true },
      { type: 'bind', source: '/home/me/logs', target: '/logs', readOnly: false },
      { type: 'volume', source: 'app_data', target: '/{{.Task.Slot}}/data', readOnly: true, labels: { tier: 'db', ...stackLabel } },
      { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: false },
      { type: 'volume', source: 'outside', target: '/ext', readOnly: false },
    ]);
    expect(notices).toEqual(
      expect.arrayContaining([
        "service web: bind mount /var/run/docker.sock: propagation rshared is not supported yet; the engine's default is used",
        "service web: tmpfs mount /tmp is not supported yet and is left out: the path is part of the container's own filesystem",
      ]),
    );
  });

  test('mount types the cluster cannot run are errors', () => {
    expect(
      issueLines(() =>
        convert(yaml('services:', '  web:', '    image: x', '    volumes:', '      - type: npipe', '        source: \\\\.\\pipe\\docker', '        target: /p')),
      ),
    ).toEqual(['5:9 services.web.volumes[0]: volume type npipe is not supported yet (use volume or bind)']);
  });
});

describe('networks to create, secrets, configs, volumes: kept, with notices', () => {
  const out = convert(
    yaml(
      'services:',
      '  web:',
      '    image: x',
      '    networks: [front, back]',
      '    secrets: [token, {source: cert, target: /certs/web.pem, mode: 0400}]',
      '    configs: [{source: conf, target: /etc/app.conf}]',
      '    volumes: [data:/data]',
      '  worker:',
      '    image: y',
      '  other:',
      '    image: z',
      'networks:',
      '  front: {driver: overlay, attachable: true, labels: [a=b]}',
      '  back: {external: true, name: shared-back}',
      '  unused: {}',
      'secrets:',
      '  token: {file: ./token.txt}',
      '  cert: {external: true}',
      'configs:',
      '  conf: {file: ./app.conf, template_driver: golang}',
      'volumes:',
      '  data: {driver: rexray/ebs, labels: {backup: "yes"}}',
    ),
  );

  test('the networks the services use go to the manager: external ones by name, the others with their spec', () => {
    expect(out.networks).toEqual([
      {
        name: 'app_default',
        external: false,
        spec: { name: 'app_default', labels: { 'com.docker.stack.namespace': 'app' }, driver: 'overlay', attachable: false, internal: false, ingress: false },
      },
      {
        name: 'app_front',
        external: false,
        spec: { name: 'app_front', labels: { a: 'b', 'com.docker.stack.namespace': 'app' }, driver: 'overlay', attachable: true, internal: false, ingress: false },
      },
      { name: 'shared-back', external: true },
    ]);
  });

  test('each service is attached by cluster name, sorted as docker sorts them, answering to its compose name', () => {
    const attached = Object.fromEntries(out.services.map((s) => [s.name, s.task.networks]));
    expect(attached).toEqual({
      app_web: [
        { target: 'app_front', aliases: ['web'] },
        { target: 'shared-back', aliases: ['web'] },
      ],
      app_worker: [{ target: 'app_default', aliases: ['worker'] }],
      app_other: [{ target: 'app_default', aliases: ['other'] }],
    });
  });

  test('secrets and configs with their references', () => {
    expect(out.secrets).toEqual([
      {
        key: 'token',
        name: 'app_token',
        external: false,
        file: '/stack/token.txt',
        driver: '',
        templateDriver: '',
        labels: { 'com.docker.stack.namespace': 'app' },
        references: [{ service: 'web', target: 'token', uid: '0', gid: '0', mode: 0o444 }],
      },
      {
        key: 'cert',
        name: 'cert',
        external: true,
        file: undefined,
        driver: '',
        templateDriver: '',
        labels: {},
        references: [{ service: 'web', target: '/certs/web.pem', uid: '0', gid: '0', mode: 0o400 }],
      },
    ]);
    expect(out.configs[0]).toMatchObject({ name: 'app_conf', templateDriver: 'golang', references: [{ service: 'web', target: '/etc/app.conf' }] });
    expect(out.volumes).toEqual([
      {
        key: 'data',
        name: 'app_data',
        external: false,
        driver: 'rexray/ebs',
        driverOpts: {},
        labels: { backup: 'yes', 'com.docker.stack.namespace': 'app' },
        services: ['web'],
      },
    ]);
  });

  test('nothing is dropped silently; secrets and configs are no longer worth a notice', () => {
    expect(out.notices).toEqual([
      "volume data uses driver rexray/ebs: volume drivers are not supported yet; each node's engine creates a local volume app_data",
    ]);
  });

  test("the service names its secrets and configs by their cluster names, with docker's file defaults", () => {
    const web = out.services.find((s) => s.name === 'app_web');
    expect(web?.task.container.secrets).toEqual([
      { secretId: '', secretName: 'app_token', file: { name: 'token', uid: '0', gid: '0', mode: 0o444 } },
      { secretId: '', secretName: 'cert', file: { name: '/certs/web.pem', uid: '0', gid: '0', mode: 0o400 } },
    ]);
    expect(web?.task.container.configs).toEqual([{ configId: '', configName: 'app_conf', file: { name: '/etc/app.conf', uid: '0', gid: '0', mode: 0o444 } }]);
    // A service without any has neither key, so its spec is as before secrets existed.
    const worker = out.services.find((s) => s.name === 'app_worker');
    expect(worker?.task.container).not.toHaveProperty('secrets');
    expect(worker?.task.container).not.toHaveProperty('configs');
  });

  test('a secret driver is an error at its line', () => {
    const lines = issueLines(() => convert(yaml('services:', '  web: {image: x, secrets: [s]}', 'secrets:', '  s: {driver: vault}')));
    expect(lines).toEqual(['4:15 secrets.s.driver: secret drivers are not supported (vault); give the content with file:, or create it first and declare it external: true']);
  });

  test('keys docker honours but this cluster does not yet are notices', () => {
    const { notices } = spec(
      '    image: x',
      '    cap_add: [NET_ADMIN]',
      '    dns: 8.8.8.8',
      '    extra_hosts: ["db:10.0.0.2"]',
      '    logging: {driver: syslog}',
      '    tty: true',
      '    ulimits: {nofile: 1024}',
      '    depends_on: [db]',
      '    deploy: {resources: {limits: {pids: 10}}}',
    );
    expect(notices).toEqual([
      "service web: cap_add is not supported yet; containers get the engine's default capabilities",
      "service web: dns is not supported yet; containers use the engine's DNS servers",
      'service web: extra_hosts is not supported yet; no entries are added to /etc/hosts',
      "service web: logging is not supported yet; containers use the engine's default logging driver and options",
      'service web: tty is not supported yet; no TTY is allocated',
      "service web: ulimits is not supported yet; the engine's default limits apply",
      'service web: deploy.resources.limits.pids is not supported yet; the number of processes is not limited',
      'service web: depends_on is not supported yet; services start in no particular order (as with docker stack deploy)',
    ]);
  });
});

describe('networks', () => {
  const networksOf = (...lines: string[]) => convert(yaml(...lines));

  test('compose aliases come first, then the service name, each once; a declared default network is used for services that name none', () => {
    const out = networksOf(
      'services:',
      '  api:',
      '    image: x',
      '    networks:',
      '      back: {aliases: [db-api, api]}',
      '      front: null',
      '  job:',
      '    image: y',
      'networks:',
      '  back: {}',
      '  front: {name: edge}',
      '  default: {attachable: true, internal: true, labels: {scope: jobs}}',
    );
    expect(out.services.map((s) => s.task.networks)).toEqual([
      [
        { target: 'app_back', aliases: ['db-api', 'api'] },
        { target: 'edge', aliases: ['api'] },
      ],
      [{ target: 'app_default', aliases: ['job'] }],
    ]);
    expect(out.networks.map((n) => n.name)).toEqual(['app_back', 'app_default', 'edge']);
    expect(out.networks[1].spec).toEqual({
      name: 'app_default',
      labels: { scope: 'jobs', 'com.docker.stack.namespace': 'app' },
      driver: 'overlay',
      attachable: true,
      internal: true,
      ingress: false,
    });
  });

  test('declared networks no service uses are neither created nor checked, as with docker', () => {
    const out = networksOf('services:', '  a:', '    image: x', 'networks:', '  spare: {driver: bridge}');
    expect(out.networks.map((n) => n.name)).toEqual(['app_default']);
  });

  test('the first ipam subnet becomes the network subnet; the ipam driver and further subnets are notices', () => {
    const out = networksOf(
      'services:',
      '  a:',
      '    image: x',
      '    networks: [n]',
      'networks:',
      '  n:',
      '    ipam:',
      '      driver: custom',
      '      config: [{subnet: 172.16.238.0/24}, {subnet: "2001:3984:3989::/64"}]',
    );
    expect(out.networks[0].spec?.subnet).toBe('172.16.238.0/24');
    expect(out.notices).toEqual([
      'network n: ipam driver custom is ignored: the cluster allocates the network\'s addresses',
      'network n: only the first ipam subnet is used; 2001:3984:3989::/64 ignored (networks here have one IPv4 subnet)',
    ]);
  });

  test('driver_opts and per-service addresses are notices: encrypted says why it changes nothing', () => {
    const out = networksOf(
      'services:',
      '  a:',
      '    image: x',
      '    networks:',
      '      n: {ipv4_address: 10.0.0.9, driver_opts: {foo: bar}}',
      '      m: null',
      'networks:',
      '  n: {driver_opts: {encrypted: "true"}}',
      '  m: {driver: overlay, driver_opts: {encrypted: "", com.docker.network.driver.mtu: "1400"}}',
    );
    expect(out.notices).toEqual([
      'network m: driver_opts encrypted, com.docker.network.driver.mtu are ignored: overlay networks here have no driver options (and traffic between nodes is always encrypted)',
      'network n: driver_opts encrypted is ignored: traffic between nodes always goes over mutual TLS here',
      'service a: network n: driver_opts foo are ignored: networks here have no driver options',
      "service a: network n: ipv4_address 10.0.0.9 is ignored (as docker stack deploy ignores it): the cluster allocates each task's address",
    ]);
  });

  test('what a swarm network cannot be is refused where it is written', () => {
    expect(
      issueLines(() =>
        networksOf(
          'services:',
          '  a:',
          '    image: x',
          '    networks: [lan, host, bad, odd.name]',
          'networks:',
          '  lan: {driver: bridge}',
          '  host: {external: true}',
          '  bad: {ipam: {config: [{subnet: 10.0.0.1/24}]}}',
          '  odd.name: {}',
        ),
      ),
    ).toEqual([
      '8:34 networks.bad.ipam.config[0].subnet: network bad: invalid subnet "10.0.0.1/24": it has host bits set (the network is 10.0.0.0/24)',
      "7:3 networks.host: network host: the engine's host network cannot be used on this swarm; use an overlay network",
      '6:17 networks.lan.driver: network lan: driver bridge is not supported on a swarm; use overlay',
      '9:3 networks.odd.name: network name app_odd.name is not valid: use letters and digits with - or _ between them, at most 63 characters',
    ]);
  });

  test('two keys naming one network ask for it once', () => {
    const out = networksOf('services:', '  a:', '    image: x', '    networks: [p, q]', 'networks:', '  p: {name: shared}', '  q: {name: shared}');
    expect(out.networks.map((n) => n.name)).toEqual(['shared']);
    expect(out.services[0].task.networks?.map((n) => n.target)).toEqual(['shared', 'shared']);
  });
});
