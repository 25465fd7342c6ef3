import { renderStackConfig } from '../../lib/compose';
import { formatGoDuration } from '../../lib/compose/load/durations';
import { goFormatG } from '../../lib/compose/plain';
import { Y, emitYaml, goKeyCompare } from '../../lib/compose/yaml/go-yaml';
import { load, yaml } from './helpers';

// `stack config`: the format docker prints (Go's yaml.v2 emitter).

describe('renderStackConfig', () => {
  test('a normalized stack, in docker key order', () => {
    const out = renderStackConfig(
      load(
        yaml(
          'version: "3.8"',
          'services:',
          '  web:',
          '    image: nginx',
          '    x-team: blue',
          '    ports: ["8080:80"]',
          '    environment: [B=2, A=1, "EMPTY="]',
          '    user: "0:0"',
          '    command: echo "hi there"',
          '    stop_grace_period: 90s',
          '    volumes: ["data:/data", "./conf:/conf:ro"]',
          '    configs: [{source: c, target: /c, mode: 0440}]',
          '    healthcheck: {test: curl x, interval: 1h}',
          '    deploy:',
          '      replicas: 0',
          '      resources: {limits: {memory: 64M, cpus: "0.5"}}',
          '      restart_policy: {condition: on-failure, delay: 0s}',
          '      update_config: {parallelism: 2, max_failure_ratio: .3}',
          '      labels: [on=yes, n=5]',
          'volumes:',
          '  data:',
          'configs:',
          '  c: {file: ./c.txt}',
          'x-top: {b: 1, a: [x]}',
        ),
      ),
    );
    expect(out).toBe(
      yaml(
        'version: "3.8"',
        'services:',
        '  web:',
        '    command:',
        '    - echo',
        '    - hi there',
        '    configs:',
        '    - source: c',
        '      target: /c',
        '      mode: 288',
        '    deploy:',
        '      replicas: 0',
        '      labels:',
        '        "n": "5"',
        '        "on": "yes"',
        '      update_config:',
        '        parallelism: 2',
        '        max_failure_ratio: 0.3',
        '      resources:',
        '        limits:',
        '          cpus: "0.5"',
        '          memory: "67108864"',
        '      restart_policy:',
        '        condition: on-failure',
        '        delay: 0s',
        '    environment:',
        '      A: "1"',
        '      B: "2"',
        '      EMPTY: ""',
        '    healthcheck:',
        '      test:',
        '      - CMD-SHELL',
        '      - curl x',
        '      interval: 1h0m0s',
        '    image: nginx',
        '    ports:',
        '    - mode: ingress',
        '      target: 80',
        '      published: 8080',
        '      protocol: tcp',
        '    stop_grace_period: 1m30s',
        '    user: "0:0"',
        '    volumes:',
        '    - type: volume',
        '      source: data',
        '      target: /data',
        '    - type: bind',
        '      source: /stack/conf',
        '      target: /conf',
        '      read_only: true',
        '    x-team: blue',
        'volumes:',
        '  data: {}',
        'configs:',
        '  c:',
        '    file: /stack/c.txt',
        'x-top:',
        '  a:',
        '  - x',
        '  b: 1',
      ),
    );
  });

  test('environment names without a value print as null; external objects with their name', () => {
    const out = renderStackConfig(
      load(yaml('services:', '  a:', '    image: x', '    environment: [UNSET]', '    networks: [net]', 'networks:', '  net: {external: true}')),
    );
    expect(out).toContain('    environment:\n      UNSET: null\n');
    expect(out).toContain('    networks:\n      net: null\n');
    expect(out).toContain('networks:\n  net:\n    name: net\n    external: true\n');
  });

  test('"n" and "y" are quoted: yaml.v2 reads them as booleans', () => {
    const out = renderStackConfig(load(yaml('services:', '  a:', '    image: x', '    networks: [n]', 'networks:', '  n: {}')));
    expect(out).toContain('    networks:\n      "n": null\nnetworks:\n  "n": {}\n');
  });
});

describe('Go formats', () => {
  test.each([
    [0, '0s'],
    [1e-6, '1ns'],
    [0.0015, '1.5µs'],
    [250, '250ms'],
    [1500, '1.5s'],
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [600_000, '10m0s'],
    [93_784_500, '26h3m4.5s'],
  ])('duration %p ms prints as %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });

  test.each([
    [0.2, 32, '0.2'],
    [0.3, 32, '0.3'],
    [1, 64, '1'],
    [1e6, 64, '1e+06'],
    [123456, 64, '123456'],
    [0.0001, 64, '0.0001'],
    [0.00001, 64, '1e-05'],
    [-2.5, 64, '-2.5'],
  ] as const)('float %p (%i bits) prints as %s', (v, bits, text) => {
    expect(goFormatG(v, bits)).toBe(text);
  });

  test('map keys sort as Go sorts them: digit runs by value, a non-letter before a digit run', () => {
    const keys = ['b10', 'b9', 'a', 'B', 'prometheus.yaml', 'prometheus-x', 'x_1', 'x1', '10', '9'];
    expect([...keys].sort(goKeyCompare)).toEqual(['9', '10', 'B', 'a', 'b9', 'b10', 'prometheus-x', 'prometheus.yaml', 'x_1', 'x1']);
  });
});

describe('the YAML emitter', () => {
  const one = (value: string) => emitYaml(Y.struct([['k', Y.str(value)]]));

  test.each([
    ['plain', 'k: plain\n'],
    ['', 'k: ""\n'],
    ['123', 'k: "123"\n'],
    ['1.5', 'k: "1.5"\n'],
    ['0x1F', 'k: "0x1F"\n'],
    ['true', 'k: "true"\n'],
    ['yes', 'k: "yes"\n'],
    ['Off', 'k: "Off"\n'],
    ['null', 'k: "null"\n'],
    ['~', 'k: "~"\n'],
    ['2024-01-02', 'k: "2024-01-02"\n'],
    ['12:30', 'k: "12:30"\n'],
    ['<<', 'k: "<<"\n'],
    ['*.example.com', "k: '*.example.com'\n"],
    ['- item', "k: '- item'\n"],
    ['a: b', "k: 'a: b'\n"],
    ['a #b', "k: 'a #b'\n"],
    ["it's", "k: it's\n"],
    ["'quoted'", "k: '''quoted'''\n"],
    [' lead', "k: ' lead'\n"],
    ['tab\there', 'k: "tab\\there"\n'],
    ['Host(`x`)', 'k: Host(`x`)\n'],
    ['`tick`', "k: '`tick`'\n"],
    ['{{.Task.Slot}}', "k: '{{.Task.Slot}}'\n"],
    ['a\nb', 'k: |-\n  a\n  b\n'],
    ['a\nb\n', 'k: |\n  a\n  b\n'],
    ['trailing \nspace', 'k: "trailing \\nspace"\n'],
  ])('%j', (value, text) => {
    expect(one(value)).toBe(text);
  });

  test('long plain values fold at a space past column 80', () => {
    const v = `${'word '.repeat(20)}end`;
    expect(one(v)).toBe(`k: ${'word '.repeat(15)}word\n  ${'word '.repeat(4)}end\n`);
  });

  test('lists sit at their key, maps indent by two, empty collections are flow', () => {
    expect(
      emitYaml(
        Y.struct([
          ['list', Y.seq([Y.str('a'), Y.struct([['k', Y.int(1)], ['l', Y.seq([Y.bool(true)])]])])],
          ['map', Y.struct([['inner', Y.struct([['x', Y.null()]])]])],
          ['empty', Y.struct([])],
          ['none', Y.seq([])],
        ]),
      ),
    ).toBe(yaml('list:', '- a', '- k: 1', '  l:', '  - true', 'map:', '  inner:', '    x: null', 'empty: {}', 'none: []'));
  });
});
