import { issueLines, issuesOf, load, yaml } from './helpers';

// Schema errors (docker's compose schema, by file version) and the checks
// made beyond it, each with the file, path, line and column.

const svc = (...lines: string[]) => yaml('services:', '  web:', '    image: nginx', ...lines);

describe('schema', () => {
  test('a wrong type names the path and what it must be', () => {
    expect(issueLines(() => load(svc('    deploy:', '      replicas: two')))).toEqual(['5:17 services.web.deploy.replicas: must be a integer']);
  });

  test('a key the format does not have points at the key itself', () => {
    expect(issueLines(() => load(svc('    imagee: nginx', '    deploy:', '      replica: 2')))).toEqual([
      '4:5 services.web: Additional property imagee is not allowed',
      '6:7 services.web.deploy: Additional property replica is not allowed',
    ]);
  });

  test('one of several forms: the message of the form that was meant', () => {
    expect(
      issueLines(() =>
        load(
          svc(
            '    command: 5',
            '    environment:',
            '      A: true',
            '    volumes:',
            '      - type: bind',
            '        source: ./data',
            '        target: /data',
            '        readonly: true',
            '    ports:',
            '      - target: http',
            '    networks:',
            '      front:',
            '        aliases: one',
          ),
        ),
      ),
    ).toEqual([
      '4:14 services.web.command: must be a string or list',
      '6:10 services.web.environment.A: must be a string, number or null',
      '11:9 services.web.volumes[0]: Additional property readonly is not allowed',
      '13:17 services.web.ports[0].target: must be a integer',
      '16:18 services.web.networks.front.aliases: must be a list',
    ]);
  });

  test('enums, required keys and repeated items', () => {
    expect(
      issueLines(() =>
        load(
          svc(
            '    deploy:',
            '      update_config:',
            '        order: random',
            '    volumes:',
            '      - source: x',
            '        target: /x',
            '    dns: [a, a]',
          ),
        ),
      ),
    ).toEqual([
      '6:16 services.web.deploy.update_config.order: must be one of the following: "start-first", "stop-first"',
      '8:9 services.web.volumes[0]: type is required',
      '10:14 services.web.dns: array items[0,1] must be unique',
    ]);
  });

  test('schema errors come first: the file is not read further until they are fixed', () => {
    expect(issueLines(() => load(svc('    stop_grace_period: 10 seconds', '    deploy: {replicas: x}')))).toEqual([
      '5:24 services.web.deploy.replicas: must be a integer',
    ]);
    expect(issueLines(() => load(svc('    stop_grace_period: 10 seconds')))).toEqual([
      '4:24 services.web.stop_grace_period: invalid duration "10 seconds": use a number with a unit (ns, us, ms, s, m, h), e.g. 500ms, 5s, 1m30s',
    ]);
  });

  test('the schema of the file version is used: 3.0 has no max_replicas_per_node', () => {
    const file = (v: string) => yaml(`version: "${v}"`, 'services:', '  web:', '    image: nginx', '    deploy:', '      placement:', '        max_replicas_per_node: 1');
    expect(issueLines(() => load(file('3.0')))).toEqual(['7:9 services.web.deploy.placement: Additional property max_replicas_per_node is not allowed']);
    expect(load(file('3.8')).services[0].deploy.placement.max_replicas_per_node).toBe(1);
    expect(load(file('3')).version).toBe('3.13');
  });

  test('versions docker does not know, unquoted versions and mixed versions', () => {
    expect(issueLines(() => load('version: "2.4"\nservices: {}\n'))).toEqual(['1:10 version: unsupported Compose file version: 2.4']);
    expect(issueLines(() => load('version: 3.8\nservices: {}\n'))).toEqual(['1:10 version: must be a string']);
    const issues = issuesOf(() => load(['version: "3.7"\nservices: {}\n', 'version: "3.8"\nservices: {}\n']));
    expect(issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.message}`)).toEqual([
      '/stack/override-1.yml:1:10 version mismatched between two composefiles : 3.7 and 3.8',
    ]);
  });

  test('cpus may be a number and memory an integer (the compose specification allows both)', () => {
    const stack = load(svc('    deploy:', '      resources:', '        limits: {cpus: 0.5, memory: 1073741824}', '        reservations: {cpus: "2", memory: 1g}'));
    expect(stack.services[0].deploy.resources).toEqual({
      limits: { cpus: '0.5', memoryBytes: 1073741824, pids: 0 },
      reservations: { cpus: '2', memoryBytes: 1073741824, generic_resources: [] },
    });
  });
});

describe('checks beyond the schema', () => {
  test('constraints and preferences are parsed by the scheduler', () => {
    expect(
      issueLines(() =>
        load(
          svc(
            '    deploy:',
            '      placement:',
            '        constraints: [node.role=manager, "node.labels.zone == east", node.foo==bar]',
            '        preferences:',
            '          - spread: node.labels.zone',
            '          - spread: nodes.zone',
            '          - {}',
          ),
        ),
      ),
    ).toEqual([
      '6:23 services.web.deploy.placement.constraints[0]: invalid constraint "node.role=manager": expected KEY==VALUE or KEY!=VALUE',
      expect.stringMatching(/^6:70 services\.web\.deploy\.placement\.constraints\[2\]: invalid constraint "node\.foo==bar": unknown key "node\.foo"/),
      expect.stringMatching(/^9:21 services\.web\.deploy\.placement\.preferences\[1\]\.spread: invalid placement preference "spread=nodes\.zone": unknown key/),
      '10:13 services.web.deploy.placement.preferences[2]: a placement preference needs spread: KEY',
    ]);
  });

  test('sizes, CPUs, durations and port ranges', () => {
    expect(
      issueLines(() =>
        load(
          svc(
            '    deploy:',
            '      resources:',
            '        limits: {memory: 12 parsecs, cpus: "half"}',
            '      restart_policy: {delay: -5s}',
            '    ports:',
            '      - "8000-7999:80"',
            '      - "8000-8001:80-82"',
            '      - "70000:80"',
            '      - "80/sctpx"',
            '      - target: 0',
            '        published: 70000',
            '        mode: bridge',
          ),
        ),
      ),
    ).toEqual([
      "6:26 services.web.deploy.resources.limits.memory: invalid size: '12 parsecs' (use a number of bytes or a unit such as 512M or 1G)",
      '6:44 services.web.deploy.resources.limits.cpus: invalid cpus "half": use a number of CPUs such as 0.5 or 2',
      '7:31 services.web.deploy.restart_policy.delay: invalid duration "-5s": must not be negative',
      '9:9 services.web.ports[0]: invalid hostPort: 8000-7999',
      '10:9 services.web.ports[1]: invalid ranges specified for container and host Ports: 80-82 and 8000-8001',
      '11:9 services.web.ports[2]: invalid hostPort: 70000',
      '12:9 services.web.ports[3]: invalid proto: sctpx',
      '13:17 services.web.ports[4].target: target port 0 is out of range: use 1 to 65535',
      '14:20 services.web.ports[4].published: published port 70000 is out of range: use 0 to 65535',
      '15:15 services.web.ports[4].mode: invalid publish mode "bridge": use host or ingress',
    ]);
  });

  test('modes, policies and conflicting settings', () => {
    expect(
      issueLines(() =>
        load(
          svc(
            '    restart: sometimes',
            '    healthcheck:',
            '      test: ["CMD", "true"]',
            '      disable: true',
            '    deploy:',
            '      mode: global',
            '      replicas: 2',
            '      endpoint_mode: magic',
            '      restart_policy:',
            '        condition: always',
            '      update_config:',
            '        failure_action: retry',
            '        max_failure_ratio: 2',
          ),
        ),
      ),
    ).toEqual([
      "4:14 services.web.restart: invalid restart policy: unknown policy 'sometimes' (must be one of 'no', 'always', 'on-failure', or 'unless-stopped')",
      "6:7 services.web.healthcheck: test and disable can't be set at the same time",
      '10:17 services.web.deploy.replicas: replicas can only be used with replicated or replicated-job mode',
      '11:22 services.web.deploy.endpoint_mode: invalid endpoint mode "magic": use vip or dnsrr',
      '13:20 services.web.deploy.restart_policy.condition: invalid restart condition "always": use none, on-failure or any',
      '15:25 services.web.deploy.update_config.failure_action: invalid failure action "retry": use pause, continue, rollback',
      '16:28 services.web.deploy.update_config.max_failure_ratio: must be a number from 0 to 1',
    ]);
  });

  test('undefined networks, volumes, secrets and configs', () => {
    expect(
      issueLines(() =>
        load(
          svc(
            '    networks: [front, default]',
            '    volumes: [data:/data, /anon, ./bind:/bind]',
            '    secrets: [token]',
            '    configs:',
            '      - source: conf',
            'networks:',
            '  back: {}',
          ),
        ),
      ),
    ).toEqual([
      '4:16 services.web.networks[0]: undefined network "front"',
      '5:15 services.web.volumes[0]: undefined volume "data"',
      '6:15 services.web.secrets[0]: undefined secret "token"',
      '8:9 services.web.configs[0]: undefined config "conf"',
    ]);
  });

  test('a reference may be defined in another file', () => {
    const stack = load([svc('    networks: [front]'), yaml('networks:', '  front: {driver: overlay}')]);
    expect(stack.networks.front.driver).toBe('overlay');
  });

  test('every service needs a valid image', () => {
    expect(issueLines(() => load(yaml('services:', '  a:', '    hostname: a', '  b:', '    image: My/App', '  c:', '    image: "a b"')))).toEqual([
      '2:3 services.a.image: invalid image reference for service a: no image specified',
      '5:12 services.b.image: invalid image reference for service b: repository name must be lowercase',
      '7:12 services.c.image: invalid image reference for service c: invalid reference format',
    ]);
  });

  test('external with a driver, and the external.name forms', () => {
    expect(
      issueLines(() => load(svc('volumes:', '  v:', '    external: true', '    driver: local', 'networks:', '  n:', '    name: a', '    external: {name: b}'))),
    ).toEqual([
      '7:13 volumes.v.driver: conflicting parameters "external" and "driver" specified for volume "v"',
      '11:15 networks.n.external: network n: network.external.name and network.name conflict; only use network.name',
    ]);
    const stack = load(svc('networks:', '  n:', '    external: {name: real}', 'secrets:', '  s:', '    external: true'));
    expect(stack.networks.n).toMatchObject({ name: 'real', external: { external: true, name: '' } });
    expect(stack.secrets.s).toMatchObject({ name: 's', external: { external: true, name: '' } });
    expect(stack.warnings).toEqual(['network n: network.external.name is deprecated in favor of network.name']);
  });
});

describe('keys docker stack deploy ignores or forbids', () => {
  test('ignored keys: one warning for all files, sorted, in docker words', () => {
    const stack = load([
      svc('    links: [db]', '    build: .', '    container_name: web1', '    restart: always'),
      yaml('services:', '  db:', '    image: postgres', '    privileged: true', '    expose: [5432]', '    depends_on: [web]'),
    ]);
    expect(stack.warnings).toEqual([
      'Ignoring unsupported options: build, links, privileged, restart',
      "Ignoring deprecated options:\n\ncontainer_name: Setting the container name is not supported.\n\nexpose: Exposing ports is unnecessary - services on the same network can access each other's containers on any port.",
    ]);
  });

  test('forbidden keys are errors, each with its reason', () => {
    expect(issueLines(() => load(svc('    extends: base', '    mem_limit: 1g', '    volumes_from: [db]', '    cpu_shares: 2')))).toEqual([
      '4:5 services.web.extends: unsupported option extends: Support for `extends` is not implemented yet.',
      '5:5 services.web.mem_limit: unsupported option mem_limit: Set resource limits using deploy.resources',
      '6:5 services.web.volumes_from: unsupported option volumes_from: To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.',
      '7:5 services.web.cpu_shares: unsupported option cpu_shares: Set resource limits using deploy.resources',
    ]);
  });
});
