import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { loadStack, readStackInput } from '../../lib/compose';
import { parseDotEnv, parseServiceEnvFile } from '../../lib/compose/env-file';
import { parseShortPort } from '../../lib/compose/load/port-spec';
import { parseVolumeSpec } from '../../lib/compose/load/volume-spec';

// The small parsers, and the one function that reads files.

describe('short port syntax (docker nat.ParsePortSpec)', () => {
  test.each([
    ['80', [{ protocol: 'tcp', target: 80, published: 0, hostIp: '' }]],
    ['8080:80/udp', [{ protocol: 'udp', target: 80, published: 8080, hostIp: '' }]],
    ['127.0.0.1:5000-5001:5000-5001', [
      { protocol: 'tcp', target: 5000, published: 5000, hostIp: '127.0.0.1' },
      { protocol: 'tcp', target: 5001, published: 5001, hostIp: '127.0.0.1' },
    ]],
    ['[::1]:53:53/UDP', [{ protocol: 'udp', target: 53, published: 53, hostIp: '::1' }]],
    ['8000-8002:80', [
      { protocol: 'tcp', target: 80, published: 8000, hostIp: '' },
      { protocol: 'tcp', target: 80, published: 8001, hostIp: '' },
      { protocol: 'tcp', target: 80, published: 8002, hostIp: '' },
    ]],
  ])('%s', (spec, expected) => {
    expect(parseShortPort(spec)).toEqual(expected);
  });

  test.each([
    ['', 'no port specified: <empty>'],
    ['80:', 'no port specified: 80:<empty>'],
    ['a:80', 'invalid hostPort: a'],
    ['80-79', 'invalid containerPort: 80-79'],
    ['1.2.3:80:80', 'invalid IP address: 1.2.3'],
    ['80/icmp', 'invalid proto: icmp'],
  ])('%j is refused: %s', (spec, message) => {
    expect(parseShortPort(spec)).toBe(message);
  });
});

describe('short volume syntax (docker volumespec.Parse)', () => {
  test.each([
    ['/data', { type: 'volume', source: '', target: '/data', read_only: false }],
    ['data:/data', { type: 'volume', source: 'data', target: '/data', read_only: false }],
    ['./a:/a:ro', { type: 'bind', source: './a', target: '/a', read_only: true }],
    ['~/a:/a:rw', { type: 'bind', source: '~/a', target: '/a', read_only: false }],
    ['/a:/a:ro,rshared', { type: 'bind', source: '/a', target: '/a', read_only: true, bind: { propagation: 'rshared' } }],
    ['vol:/v:nocopy', { type: 'volume', source: 'vol', target: '/v', volume: { nocopy: true, subpath: '' } }],
    ['C:\\data:/data', { type: 'bind', source: 'C:\\data', target: '/data' }],
  ])('%s', (spec, expected) => {
    expect(parseVolumeSpec(spec)).toMatchObject(expected);
  });

  test('errors (a one-letter source followed by ":" reads as a Windows drive, as in docker)', () => {
    expect(parseVolumeSpec('v:/v:ro')).toMatchObject({ type: 'bind', source: 'v:/v', target: 'ro' });
    expect(parseVolumeSpec('')).toBe('invalid empty volume spec');
    expect(parseVolumeSpec('ab::c')).toBe('invalid spec: ab::c: empty section between colons');
    expect(parseVolumeSpec('ab:/c:ro:x')).toBe('invalid spec: ab:/c:ro:x: too many colons');
  });
});

describe('env files', () => {
  test("a service's env_file is read as docker reads it", () => {
    const r = parseServiceEnvFile('/e.env', '\uFEFF# c\n  A=1 \nB="q"\nC\nD\n\nE=\n', (n) => (n === 'C' ? 'from-env' : undefined));
    expect(r).toEqual({
      ok: true,
      entries: [
        { key: 'A', value: '1 ', line: 2 },
        { key: 'B', value: '"q"', line: 3 },
        { key: 'C', value: 'from-env', line: 4 },
        { key: 'E', value: '', line: 7 },
      ],
    });
    expect(parseServiceEnvFile('/e.env', '=x\n', () => undefined)).toMatchObject({ ok: false, issue: { line: 1, message: "invalid env file: no variable name on line '=x'" } });
  });

  test('the interpolation .env file is read as docker compose reads one', () => {
    const r = parseDotEnv('/.env', 'export A=1\nB="two words"\nC=\'x\'\nD=plain # comment\nE="a\\nb"\n');
    expect(r.ok && r.entries.map((e) => [e.key, e.value])).toEqual([
      ['A', '1'],
      ['B', 'two words'],
      ['C', 'x'],
      ['D', 'plain'],
      ['E', 'a\nb'],
    ]);
  });
});

describe('readStackInput: the files, at the edge', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'compose-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('reads the files, the .env beside the first one, and env_file entries relative to it', () => {
    writeFileSync(join(dir, 'docker-stack.yml'), 'services:\n  web:\n    image: nginx:${TAG}\n    env_file: web.env\n');
    writeFileSync(join(dir, 'override.yml'), 'services:\n  web:\n    environment: [B=2]\n');
    writeFileSync(join(dir, '.env'), 'TAG=1.25\n');
    writeFileSync(join(dir, 'web.env'), 'A=1\n');
    const input = readStackInput({ composeFiles: ['docker-stack.yml', 'override.yml'], env: {}, cwd: dir });
    expect(input.files.map((f) => f.path)).toEqual(['docker-stack.yml', 'override.yml']);
    expect(input.workingDir).toBe(dir);
    expect(input.envFile?.path).toBe(join(dir, '.env'));
    const stack = loadStack(input);
    expect(stack.services[0].image).toBe('nginx:1.25');
    expect(stack.services[0].environment).toEqual({ A: '1', B: '2' });
  });

  test('--env-file replaces .env; "-" reads stdin with the current directory as base', () => {
    writeFileSync(join(dir, 'vars'), 'TAG=2\n');
    const input = readStackInput({
      composeFiles: ['-'],
      envFile: 'vars',
      env: { TAG: 'env-wins' },
      cwd: dir,
      readStdin: () => 'services:\n  web:\n    image: nginx:${TAG}\n    volumes: [./data:/data]\n',
    });
    const stack = loadStack(input);
    expect(stack.services[0].image).toBe('nginx:env-wins');
    expect(stack.services[0].volumes[0].source).toBe(join(dir, 'data'));
  });

  test('a missing file is an error naming it', () => {
    expect(() => readStackInput({ composeFiles: ['nope.yml'], env: {}, cwd: dir })).toThrow(`cannot read compose file ${join(dir, 'nope.yml')}`);
    expect(() => readStackInput({ composeFiles: [], env: {} })).toThrow('specify a Compose file (with --compose-file)');
  });
});
