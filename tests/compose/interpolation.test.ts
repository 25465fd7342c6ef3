import { readFileSync } from 'fs';
import { join } from 'path';
import { substitute } from '../../lib/compose/interpolation/template';
import { interpolateDocument } from '../../lib/compose/interpolation/interpolate';
import { issueLines, issuesOf, load, yaml } from './helpers';

const vars: Record<string, string> = { SET: 'value', EMPTY: '', TAG: '1.2', HOST: 'db' };
const lookup = (name: string) => (Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined);
const sub = (t: string) => substitute(t, lookup);

describe('substitute: every form', () => {
  test.each([
    ['$SET', 'value'],
    ['${SET}', 'value'],
    ['$UNSET', ''],
    ['${UNSET}', ''],
    ['pre-${SET}-post', 'pre-value-post'],
    ['${SET:-default}', 'value'],
    ['${EMPTY:-default}', 'default'],
    ['${UNSET:-default}', 'default'],
    ['${SET-default}', 'value'],
    ['${EMPTY-default}', ''],
    ['${UNSET-default}', 'default'],
    ['${SET:?must be set}', 'value'],
    ['${EMPTY?may be empty}', ''],
    ['${SET?must exist}', 'value'],
    ['$$', '$'],
    ['$${SET}', '${SET}'],
    ['cost: $$5', 'cost: $5'],
    ['$$$SET', '$value'],
    ['${UNSET:-}', ''],
    ['${UNSET:-kong:latest}', 'kong:latest'],
    ['${UNSET-127.0.0.1:5000}/rng:${TAG-latest}', '127.0.0.1:5000/rng:1.2'],
    ['${UNSET:-a b c}', 'a b c'],
    // Names are case-sensitive, and end at the first character that cannot be in one.
    ['$SET.suffix', 'value.suffix'],
    ['${set}', ''],
    // docker's unbraced form takes an operator too, up to the first `}`.
    ['$UNSET-fallback', 'fallback'],
    ['$UNSET:-x}y', 'x}y'],
  ])('%s → %s', (template, expected) => {
    expect(sub(template)).toBe(expected);
  });

  test('a default is taken literally, `$` and all: the bcrypt hash of corpus file 05', () => {
    expect(sub('${AM_USER:-admin}:${AM_PASSWORD:-$2y$05$oZcj4FgdSFEYNCH0EH/3Vu7Hp72gkvEadHzMsDhGFkbvS/ZrKMKfK}')).toBe(
      'admin:$2y$05$oZcj4FgdSFEYNCH0EH/3Vu7Hp72gkvEadHzMsDhGFkbvS/ZrKMKfK',
    );
  });

  test('a set variable wins over a literal default containing $', () => {
    vars.AM_PASSWORD = 'secret';
    try {
      expect(sub('${AM_PASSWORD:-$2y$05$abc}')).toBe('secret');
    } finally {
      delete vars.AM_PASSWORD;
    }
  });

  test('nested defaults are substituted in turn', () => {
    expect(sub('${UNSET:-${SET}}')).toBe('value');
    expect(sub('${UNSET:-${ALSO_UNSET:-inner}}')).toBe('inner');
    expect(sub('${UNSET:-http://${HOST}:${PORT:-5432}/x}')).toBe('http://db:5432/x');
    expect(sub('${SET:-${UNSET:?never evaluated}}')).toBe('value');
    expect(sub('a${UNSET-${EMPTY:-b}}c')).toBe('abc');
  });

  test('a default with Go template braces but no ${ is docker-compatible', () => {
    expect(sub('${UNSET:-{{ index .Service.Labels "ns"}}}')).toBe('{{ index .Service.Labels "ns"}}');
    expect(sub('$${CLUSTER:-replica-{{.Task.Slot}}}')).toBe('${CLUSTER:-replica-{{.Task.Slot}}}');
  });

  test('required variables fail with the variable and the message', () => {
    expect(() => sub('${UNSET:?Variable not set}')).toThrow('required variable UNSET is missing a value: Variable not set');
    expect(() => sub('${EMPTY:?cannot be empty}')).toThrow('required variable EMPTY is missing a value: cannot be empty');
    expect(() => sub('${UNSET?Variable not set}')).toThrow('required variable UNSET is missing a value: Variable not set');
    // The operator is the one after the name: a dash in the message stays in the message.
    expect(() => sub('${UNSET?not-set}')).toThrow('required variable UNSET is missing a value: not-set');
  });

  test.each(['$', 'price: 5$', '${', '${UNSET', '${1abc}', '${A B}', '${A:x}', '$2y', '${}'])('%s is an invalid interpolation', (t) => {
    expect(() => sub(t)).toThrow(`invalid interpolation format: "${t}"; you may need to escape any $ with another $`);
  });
});

describe('interpolateDocument', () => {
  test('interpolates values, never keys, and casts what the schema wants typed', () => {
    const doc = {
      services: {
        $SET: { image: 'app:${TAG}', deploy: { replicas: '${N:-3}', update_config: { max_failure_ratio: '${R:-.5}' } }, tty: '${T:-yes}' },
      },
      networks: { n: { external: '${E:-true}' } },
    };
    const r = interpolateDocument(doc, lookup);
    expect(r.problems).toEqual([]);
    expect(r.value).toEqual({
      services: { $SET: { image: 'app:1.2', deploy: { replicas: 3, update_config: { max_failure_ratio: 0.5 } }, tty: true } },
      networks: { n: { external: true } },
    });
  });

  test('a value written as a number is not touched; a string without variables is not cast', () => {
    const r = interpolateDocument({ services: { a: { deploy: { replicas: '2' } } } }, lookup);
    expect(r.value).toEqual({ services: { a: { deploy: { replicas: '2' } } } });
  });

  test('a failed cast is a problem at the path', () => {
    const r = interpolateDocument({ services: { a: { deploy: { replicas: '${N:-many}' } } } }, lookup);
    expect(r.problems).toEqual([{ path: ['services', 'a', 'deploy', 'replicas'], message: 'failed to cast to expected type: "many" is not an integer' }]);
  });

  test('collects bare variables that are unset (they become "")', () => {
    const r = interpolateDocument({ a: ['$X', '${Y}', '${Z:-d}', '$$W', '${SET}'] }, lookup);
    expect([...r.unset].sort()).toEqual(['X', 'Y']);
  });
});

describe('interpolation while loading', () => {
  const file = yaml(
    'services:', //
    '  web:',
    '    image: nginx:${TAG:?set TAG}',
    '    environment:',
    '      - URL=${URL?set URL}',
    '      - PRICE=5$',
  );

  test('every problem names the file, the path, the line and the column', () => {
    const issues = issuesOf(() => load(file));
    expect(issues).toEqual([
      { file: '/stack/docker-stack.yml', path: 'services.web.image', line: 3, column: 12, message: 'required variable TAG is missing a value: set TAG' },
      { file: '/stack/docker-stack.yml', path: 'services.web.environment[0]', line: 5, column: 9, message: 'required variable URL is missing a value: set URL' },
      {
        file: '/stack/docker-stack.yml',
        path: 'services.web.environment[1]',
        line: 6,
        column: 9,
        message: 'invalid interpolation format: "PRICE=5$"; you may need to escape any $ with another $',
      },
    ]);
    expect(issueLines(() => load(file))[0]).toBe('3:12 services.web.image: required variable TAG is missing a value: set TAG');
  });

  test('the ComposeError message prints one problem per line, with the file', () => {
    try {
      load(file);
      throw new Error('no error');
    } catch (e) {
      expect((e as Error).message.split('\n')).toEqual([
        '/stack/docker-stack.yml:3:12: services.web.image: required variable TAG is missing a value: set TAG',
        '/stack/docker-stack.yml:5:9: services.web.environment[0]: required variable URL is missing a value: set URL',
        '/stack/docker-stack.yml:6:9: services.web.environment[1]: invalid interpolation format: "PRICE=5$"; you may need to escape any $ with another $',
      ]);
    }
  });

  test('values come from the environment, then the .env file; the environment wins', () => {
    const stack = load(file.replace('5$', () => '5$$'), {
      env: { TAG: 'from-env' },
      envFile: { path: '/stack/.env', content: 'TAG=from-file\nURL="http://x"  \n# comment\nexport OTHER=1\n' },
    });
    expect(stack.services[0].image).toBe('nginx:from-env');
    expect(stack.services[0].environment).toEqual({ URL: 'http://x', PRICE: '5$' });
  });

  test('an empty environment value counts as set', () => {
    const stack = load(yaml('services:', '  web:', '    image: a${SUFFIX-:latest}'), { env: { SUFFIX: '' } });
    expect(stack.services[0].image).toBe('a');
  });

  test('a bad .env file is reported with its line', () => {
    expect(issuesOf(() => load(file, { envFile: { path: '/stack/.env', content: 'A=1\nnot a pair\n' } }))[0]).toEqual({
      file: '/stack/.env',
      path: '',
      line: 2,
      column: 1,
      message: "expected KEY=VALUE, got 'not a pair'",
    });
  });

  test('bare unset variables become warnings, as docker compose warns', () => {
    const stack = load(yaml('services:', '  web:', '    image: nginx', '    hostname: ${NAME}x$OTHER'));
    expect(stack.services[0].hostname).toBe('x');
    expect(stack.warnings).toEqual([
      'The "NAME" variable is not set. Defaulting to a blank string.',
      'The "OTHER" variable is not set. Defaulting to a blank string.',
    ]);
  });

  test('corpus file 05 loads: the bcrypt default is kept literally and no variable inside it is looked up', () => {
    const path = join(__dirname, '../fixtures/compose-corpus/05-dogvscat-swarmprom.yml');
    const stack = load(readFileSync(path, 'utf8'), { files: [path] });
    const am = stack.services.find((s) => s.name === 'alertmanager');
    expect(am?.deploy.labels['traefik.http.middlewares.alertmanager-auth.basicauth.users']).toBe(
      'admin:$2y$05$oZcj4FgdSFEYNCH0EH/3Vu7Hp72gkvEadHzMsDhGFkbvS/ZrKMKfK',
    );
    expect(stack.warnings).toEqual([]);
  });
});
