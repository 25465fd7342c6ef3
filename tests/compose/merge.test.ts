import { load, yaml } from './helpers';

// Several -c files, merged as docker merges them.

const base = yaml(
  'version: "3.8"',
  'x-base: kept',
  'services:',
  '  web:',
  '    image: nginx:1',
  '    command: ["nginx", "-g", "daemon off;"]',
  '    environment:',
  '      A: from-base',
  '      B: from-base',
  '    labels: [x=1]',
  '    cap_add: [NET_ADMIN]',
  '    ports:',
  '      - "8080:80"',
  '      - "9090:90"',
  '      - "53/udp"',
  '    volumes:',
  '      - data:/var/data',
  '      - ./conf:/etc/conf:ro',
  '    secrets: [b, a]',
  '    deploy:',
  '      replicas: 2',
  '      labels: {tier: web}',
  '      placement:',
  '        constraints: [node.role==worker]',
  '      restart_policy: {condition: on-failure, delay: 10s}',
  '    healthcheck:',
  '      test: ["CMD", "true"]',
  '      interval: 10s',
  '    logging: {driver: json-file, options: {max-size: 1m}}',
  '  db:',
  '    image: postgres',
  'volumes:',
  '  data: {driver: local}',
  'secrets:',
  '  a: {file: ./a}',
  '  b: {file: ./b}',
  'networks:',
  '  front: {driver: overlay, attachable: true}',
);

const override = yaml(
  'version: "3.8"',
  'x-override: ignored',
  'services:',
  '  web:',
  '    image: nginx:2',
  '    command: nginx -T',
  '    environment: [B=from-override, C=new]',
  '    labels: {x: "2", y: "3"}',
  '    cap_add: [SYS_ADMIN]',
  '    ports:',
  '      - target: 81',
  '        published: 8080',
  '      - "54/udp"',
  '    volumes:',
  '      - other:/var/data',
  '    deploy:',
  '      replicas: 0',
  '      placement:',
  '        constraints: [node.labels.zone==east]',
  '      restart_policy: {max_attempts: 3}',
  '    healthcheck:',
  '      test: ["CMD", "false"]',
  '    logging: {options: {max-file: "3"}}',
  '  cache:',
  '    image: redis',
  'volumes:',
  '  data: {driver: other}',
  '  other: {}',
  'networks:',
  '  front: {external: true}',
);

describe('merging files', () => {
  const stack = load([base, override]);
  const web = stack.services.find((s) => s.name === 'web');
  if (!web) throw new Error('no web');

  test('services from every file, sorted by name', () => {
    expect(stack.services.map((s) => s.name)).toEqual(['cache', 'db', 'web']);
    expect(stack.files).toEqual(['/stack/docker-stack.yml', '/stack/override-1.yml']);
  });

  test('later scalars win; command is replaced; other lists are appended', () => {
    expect(web.image).toBe('nginx:2');
    expect(web.command).toEqual(['nginx', '-T']);
    expect(web.cap_add).toEqual(['NET_ADMIN', 'SYS_ADMIN']);
    expect(web.deploy.placement.constraints).toEqual(['node.role==worker', 'node.labels.zone==east']);
  });

  test('maps merge key by key: environment, labels, deploy.labels, logging options of the same driver', () => {
    expect(web.environment).toEqual({ A: 'from-base', B: 'from-override', C: 'new' });
    expect(web.labels).toEqual({ x: '2', y: '3' });
    expect(web.deploy.labels).toEqual({ tier: 'web' });
    expect(web.logging).toEqual({ driver: 'json-file', options: { 'max-size': '1m', 'max-file': '3' } });
  });

  test('ports merge by published port, sorted by it; unpublished ports stay distinct', () => {
    expect(web.ports.map((p) => `${p.published}:${p.target}/${p.protocol || 'tcp'}`)).toEqual(['0:53/udp', '0:54/udp', '8080:81/tcp', '9090:90/tcp']);
  });

  test('volumes merge by target, secrets by source, both sorted', () => {
    expect(web.volumes.map((v) => `${v.source}:${v.target}`)).toEqual(['/stack/conf:/etc/conf', 'other:/var/data']);
    expect(web.secrets.map((s) => s.source)).toEqual(['a', 'b']);
  });

  test('optional values given as zero still override; structs merge field by field', () => {
    expect(web.deploy.replicas).toBe(0);
    expect(web.deploy.restart_policy).toEqual({ condition: 'on-failure', delayMs: 10_000, max_attempts: 3, windowMs: undefined });
    // A later test replaces the earlier one (docker would append the two lists).
    expect(web.healthcheck?.test).toEqual(['CMD', 'false']);
    expect(web.healthcheck?.intervalMs).toBe(10_000);
  });

  test('top-level entries are replaced whole; x-* keys come from the first file', () => {
    expect(stack.volumes.data.driver).toBe('other');
    expect(stack.networks.front).toMatchObject({ driver: '', attachable: false, external: { external: true }, name: 'front' });
    expect(Object.keys(stack.secrets)).toEqual(['a', 'b']);
    expect(stack.extras).toEqual({ 'x-base': 'kept' });
  });

  test('a logging driver different from the earlier one replaces it', () => {
    const s = load([
      yaml('services:', '  a:', '    image: x', '    logging: {driver: syslog, options: {tag: a}}'),
      yaml('services:', '  a:', '    logging: {driver: gelf, options: {gelf-address: "udp://h:1"}}'),
    ]);
    expect(s.services[0].logging).toEqual({ driver: 'gelf', options: { 'gelf-address': 'udp://h:1' } });
  });

  test('a zero value cannot override (as in docker): false, "" and 0 keep the earlier value', () => {
    const s = load([
      yaml('services:', '  a:', '    image: x', '    tty: true', '    user: root'),
      yaml('services:', '  a:', '    tty: false', '    user: ""'),
    ]);
    expect(s.services[0].tty).toBe(true);
    expect(s.services[0].user).toBe('root');
  });
});
