import * as fc from 'fast-check';
import { readFileSync, readdirSync } from 'fs';
import * as yaml from 'js-yaml';
import { join } from 'path';
import { ComposeError, convertStack, loadStack, renderStackConfig } from '../../lib/compose';

// Malformed and random input thrown at the loader: the answer is always a
// stack or a ComposeError with positioned issues, never another exception,
// and never slow.

const CORPUS = join(__dirname, '../fixtures/compose-corpus');
const corpus = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => readFileSync(join(CORPUS, f), 'utf8'));

function attempt(text: string): void {
  const started = Date.now();
  try {
    const stack = loadStack({ files: [{ path: '/f/stack.yml', content: text }], env: { HOME: '/h' }, readEnvFile: () => 'A=1\n' });
    renderStackConfig(stack);
    convertStack(stack, 'fuzz');
  } catch (e) {
    if (!(e instanceof ComposeError)) throw e;
    expect(e.issues.length).toBeGreaterThan(0);
    for (const i of e.issues) {
      expect(i.line).toBeGreaterThanOrEqual(1);
      expect(i.column).toBeGreaterThanOrEqual(1);
      expect(i.message).not.toBe('');
    }
  }
  expect(Date.now() - started).toBeLessThan(2000);
}

const SERVICE_KEYS = ['image', 'command', 'entrypoint', 'environment', 'ports', 'volumes', 'deploy', 'healthcheck', 'networks', 'secrets', 'labels', 'restart', 'x-a'];
const DEPLOY_KEYS = ['mode', 'replicas', 'placement', 'resources', 'restart_policy', 'update_config', 'labels', 'endpoint_mode'];

const scalar = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('80:80', '8000-8001:80-81', 'a:/b:ro', '1m30s', '512M', 'node.role==manager', '${X:-y}', '$$', '$', '{{.Task.Slot}}', ''),
  fc.integer({ min: -5, max: 70000 }),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 4 })),
})).v;
const deploy = fc.dictionary(fc.constantFrom(...DEPLOY_KEYS), value, { maxKeys: 4 });
const service = fc.record({ image: fc.constantFrom('nginx', 'busybox:1', 'BAD IMAGE') }).chain((base) =>
  fc.dictionary(fc.constantFrom(...SERVICE_KEYS), value, { maxKeys: 5 }).chain((rest) => deploy.map((d) => ({ ...base, ...rest, deploy: d }))),
);
const composeShaped = fc.record({
  version: fc.constantFrom('3', '3.8', '3.13', '2.4', undefined),
  services: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), service, { maxKeys: 3 }),
  volumes: fc.option(fc.dictionary(fc.string({ maxLength: 5 }), value, { maxKeys: 2 }), { nil: undefined }),
});

describe('fuzzing the loader', () => {
  test('arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), attempt), { numRuns: 300 });
  });

  test('random YAML documents', () => {
    fc.assert(fc.property(value, (v) => attempt(yaml.dump(v))), { numRuns: 300 });
  });

  test('compose-shaped documents with random values', () => {
    fc.assert(fc.property(composeShaped, (doc) => attempt(yaml.dump(JSON.parse(JSON.stringify(doc))))), { numRuns: 300 });
  });

  test('corpus files with random edits (cut, duplicated or inserted characters and lines)', () => {
    const edit = fc.record({
      file: fc.integer({ min: 0, max: corpus.length - 1 }),
      at: fc.nat(),
      len: fc.integer({ min: 0, max: 40 }),
      insert: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(':', '- ', '\n  ', '&a ', '*a', '<<: *a\n', '{', '[', '"', '\t', '${', '#')),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = corpus[edits[0].file];
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          text = text.slice(0, at) + e.insert + text.slice(at + e.len);
        }
        attempt(text);
      }),
      { numRuns: 300 },
    );
  });
});
