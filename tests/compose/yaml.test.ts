import { parseYamlFile } from '../../lib/compose/yaml/parse';
import { issueLines, load, yaml } from './helpers';

function parse(text: string) {
  const r = parseYamlFile('f.yml', text);
  if (!r.ok) throw new Error(r.issue.message);
  return r.file;
}

describe('scalars read as docker reads them', () => {
  test('Go yaml integers, no timestamps, YAML 1.2 booleans', () => {
    const f = parse(
      yaml(
        'octal: 0555',
        'hex: 0x1F',
        'o: 0o17',
        'bin: 0b101',
        'under: 1_000',
        'notoctal: 089',
        'date: 2024-01-01',
        'yes: yes',
        'on: on',
        'bool: true',
        'nul: ~',
        'float: .5',
        'quoted: "0555"',
      ),
    );
    expect(f.value).toEqual({
      octal: 365,
      hex: 31,
      o: 15,
      bin: 5,
      under: 1000,
      notoctal: 89,
      date: '2024-01-01',
      yes: 'yes',
      on: 'on',
      bool: true,
      nul: null,
      float: 0.5,
      quoted: '0555',
    });
  });
});

describe('anchors, aliases and merge keys', () => {
  const text = yaml(
    'x-defaults: &defaults', // 1
    '  restart_policy:', // 2
    '    condition: on-failure', // 3
    '  replicas: 2', // 4
    'x-labels: &labels {a: "1", b: "2"}', // 5
    'services:', // 6
    '  web:', // 7
    '    image: nginx', // 8
    '    deploy:', // 9
    '      <<: *defaults', // 10
    '      replicas: 3', // 11
    '      labels: *labels', // 12
    '  worker:', // 13
    '    image: busybox', // 14
    '    deploy:', // 15
    '      <<: [*defaults]', // 16
  );

  test('merges expand; an explicit key beside a merge wins', () => {
    const f = parse(text);
    const services = (f.value as { services: Record<string, { deploy: unknown }> }).services;
    expect(services.web.deploy).toEqual({ restart_policy: { condition: 'on-failure' }, replicas: 3, labels: { a: '1', b: '2' } });
    expect(services.worker.deploy).toEqual({ restart_policy: { condition: 'on-failure' }, replicas: 2 });
  });

  test('aliased values are copies: changing one does not change the other', () => {
    const f = parse(text);
    const services = (f.value as { services: Record<string, { deploy: { restart_policy: { condition: string } } }> }).services;
    services.web.deploy.restart_policy.condition = 'any';
    expect(services.worker.deploy.restart_policy.condition).toBe('on-failure');
  });

  test('positions follow explicit keys, merges and aliases to where the text is', () => {
    const p = parse(text).positions;
    expect(p.position(['services', 'web', 'deploy', 'replicas'])).toEqual({ line: 11, column: 17 });
    expect(p.keyPosition(['services', 'web', 'deploy', 'replicas'])).toEqual({ line: 11, column: 7 });
    // Merged in from the anchor: the anchor's text.
    expect(p.position(['services', 'web', 'deploy', 'restart_policy', 'condition'])).toEqual({ line: 3, column: 16 });
    expect(p.position(['services', 'worker', 'deploy', 'replicas'])).toEqual({ line: 4, column: 13 });
    // Through a whole-value alias into a flow mapping.
    expect(p.position(['services', 'web', 'deploy', 'labels', 'b'])).toEqual({ line: 5, column: 31 });
    // A missing key: the nearest ancestor.
    expect(p.position(['services', 'web', 'nope', 'deeper'])).toEqual({ line: 8, column: 5 });
    expect(p.has(['services', 'web', 'nope'])).toBe(false);
    expect(p.has(['services', 'worker', 'deploy', 'restart_policy'])).toBe(true);
  });

  test('list items, flow lists and empty values', () => {
    const p = parse(yaml('a:', '  - one', '  - [x, y]', 'b:', 'c: {k: v}')).positions;
    expect(p.position(['a', 1, 1])).toEqual({ line: 3, column: 9 });
    expect(p.position(['b'])).toEqual({ line: 4, column: 1 });
    expect(p.position(['c', 'k'])).toEqual({ line: 5, column: 8 });
  });

  test('x-* keys are dropped from services after the merge, kept for stack config', () => {
    const stack = load(text);
    expect(stack.extras).toEqual({
      'x-defaults': { restart_policy: { condition: 'on-failure' }, replicas: 2 },
      'x-labels': { a: '1', b: '2' },
    });
    expect(stack.services.map((s) => s.deploy.replicas)).toEqual([3, 2]);
    expect(stack.services[0].deploy.restart_policy?.condition).toBe('on-failure');
  });
});

describe('bad YAML is a clear error, never a crash or a hang', () => {
  test('a syntax error names the line and column', () => {
    expect(issueLines(() => load('services:\n  web:\n    image: [a\n'))).toEqual(['4:1 : unexpected end of the stream within a flow collection']);
    expect(issueLines(() => load('a: b\n  c: d\n'))).toEqual(['2:4 : bad indentation of a mapping entry']);
    expect(issueLines(() => load('a: 1\na: 2\n'))).toEqual(['2:1 : duplicated mapping key']);
    expect(issueLines(() => load('a: *nope\n'))).toEqual(['1:9 : unidentified alias "nope"']);
  });

  test('the top level must be a mapping', () => {
    expect(issueLines(() => load(''))).toEqual(['1:1 : top-level object must be a mapping']);
    expect(issueLines(() => load('- a\n'))).toEqual(['1:1 : top-level object must be a mapping']);
    expect(issueLines(() => load('just text\n'))).toEqual(['1:1 : top-level object must be a mapping']);
  });

  test('an alias bomb is refused before anything walks it', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const started = Date.now();
    expect(issueLines(() => load(lines.join('\n')))).toEqual(['1:1 : the document expands to more than 1000000 values through aliases']);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('an alias to its own container is refused', () => {
    expect(issueLines(() => load('a: &a [1, *a]\n'))).toEqual(['1:1 : an alias refers to a node that contains it: the document would be infinite']);
  });

  test('deep nesting is refused by the parser', () => {
    expect(issueLines(() => load(`a: ${'['.repeat(200)}${']'.repeat(200)}\n`))[0]).toMatch(/nesting exceeded maxDepth/);
  });
});
