import { readFileSync, readdirSync } from 'fs';
import { join, relative } from 'path';
import { type LoadedStack, convertStack, loadStack, renderStackConfig } from '../../lib/compose';
import { issueLines } from './helpers';

// The 20 public stack files of tests/fixtures/compose-corpus (copied from
// ../shared/compose-corpus, see SOURCES.md there): each loads, converts and
// renders, or fails only for a reason docs/compose.md lists, with the exact
// message. Files 18 and 19 are a golden pair: 19 is what `docker stack
// config` printed for 18.

const CORPUS = join(__dirname, '../fixtures/compose-corpus');
const EXTRA = join(CORPUS, 'extra');
const DOCS = readFileSync(join(__dirname, '../../docs/compose.md'), 'utf8');

function dotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

// What the files expect from the environment, as their READMEs say.
const ENV: Record<string, string> = {
  // 07: the traefik host stack's required variables.
  USERNAME: 'admin',
  HASHED_PASSWORD: '$apr1$x$y',
  DOMAIN: 'traefik.example.com',
  EMAIL: 'admin@example.com',
  // 13: the node the monitoring services are pinned to.
  HOSTNAME: 'node-1',
  // 20
  USERS: 'admin:$apr1$x$y',
  // 09: docker's own test environment for the fixture.
  QUX: 'qux_from_environment',
  HOME: '/home/user',
  // 18: the image versions of promstack's .dockerenv.
  ...dotenv(readFileSync(join(EXTRA, 'promstack.dockerenv'), 'utf8')),
};

/** env_file entries, read from extra/ (the corpus files are upstream's, the env files theirs too). */
function readEnvFile(path: string): string {
  return readFileSync(join(EXTRA, relative(CORPUS, path)), 'utf8');
}

function loadCorpus(name: string, env: Record<string, string> = ENV): LoadedStack {
  const path = join(CORPUS, name);
  return loadStack({ files: [{ path, content: readFileSync(path, 'utf8') }], env, readEnvFile });
}

interface Expected {
  services: number;
  warnings?: string[];
}

const LOADS: Record<string, Expected> = {
  '01-example-voting-app-stack.yml': { services: 6 },
  '02-atsea-sample-shop-stack.yml': { services: 5 },
  '03-swarmprom.yml': { services: 8 },
  '04-dogvscat-proxy-global.yml': { services: 4 },
  '05-dogvscat-swarmprom.yml': { services: 7 },
  '06-dogvscat-ghost.yml': { services: 3 },
  '07-dockerswarm-rocks-traefik-host.yml': { services: 1 },
  '08-swarmpit-no-version.yml': { services: 4 },
  '10-udemy-voting-app-placement.yml': { services: 5 },
  '11-udemy-voting-app-healthchecks.yml': { services: 5 },
  '12-vegasbrianc-prometheus-stack.yml': { services: 5 },
  '13-vegasbrianc-pwd-stack.yml': { services: 6, warnings: ['Ignoring unsupported options: links, restart'] },
  '14-kong-swarm.yml': { services: 4 },
  '15-container-training-dockercoins-healthcheck.yml': { services: 5, warnings: ['Ignoring unsupported options: build'] },
  '16-container-training-elk.yml': { services: 3 },
  '17-openfaas-swarm.yml': { services: 7 },
  '18-promstack-prometheus-tmpl.yml': { services: 5 },
  '19-promstack-prometheus-rendered.yml': { services: 5 },
  '20-swarmsible-traefik-public.yml': { services: 1 },
};

// Files that fail, with the exact messages; each reason is one docs/compose.md lists.
const FAILS: Record<string, { env?: Record<string, string>; issues: string[]; documented: string }> = {
  // docker's loader fixture, never meant to be deployed: swarmkit refuses its constraint too.
  '09-docker-cli-full-example.yml': {
    issues: ['88:23 services.foo.deploy.placement.constraints[0]: invalid constraint "node=foo": expected KEY==VALUE or KEY!=VALUE'],
    documented: 'invalid constraint "node=foo"',
  },
};

const files = readdirSync(CORPUS).filter((f) => f.endsWith('.yml'));
const NOT_RELOADABLE = ['02-atsea-sample-shop-stack.yml', '17-openfaas-swarm.yml'];

test('the corpus is complete: 20 files, each expected to load or to fail', () => {
  expect(files).toHaveLength(20);
  expect([...Object.keys(LOADS), ...Object.keys(FAILS)].sort()).toEqual(files);
});

describe.each(Object.entries(LOADS))('%s', (name, expected) => {
  const stack = loadCorpus(name);

  test('loads, with docker warnings only where docker gives them', () => {
    expect(stack.services).toHaveLength(expected.services);
    expect(stack.warnings).toEqual(expected.warnings ?? []);
  });

  test('converts: every service becomes a spec named and labelled for the stack', () => {
    const converted = convertStack(stack, 'corpus');
    expect(converted.services.map((s) => s.name)).toEqual(stack.services.map((s) => `corpus_${s.name}`));
    for (const s of converted.services) {
      expect(s.labels['com.docker.stack.namespace']).toBe('corpus');
      expect(s.task.container.labels['com.docker.stack.namespace']).toBe('corpus');
      expect(s.task.container.image).not.toBe('');
    }
    // Notices are sentences about a service, network, volume, secret or config.
    for (const n of converted.notices) expect(n).toMatch(/^(service|services|network|volume) /);
    // Every service is on a network the stack asks for, answering there to its compose name.
    const requested = converted.networks.map((n) => n.name);
    stack.services.forEach((s, i) => {
      const attached = converted.services[i].task.networks ?? [];
      expect(attached.length).toBeGreaterThan(0);
      for (const a of attached) {
        expect(requested).toContain(a.target);
        expect(a.aliases).toContain(s.name);
      }
    });
  });

  test("secrets and configs: each service's references name objects the stack declares, and no notice says they are missing", () => {
    const converted = convertStack(stack, 'corpus');
    const secretNames = new Set(converted.secrets.map((o) => o.name));
    const configNames = new Set(converted.configs.map((o) => o.name));
    stack.services.forEach((s, i) => {
      const c = converted.services[i].task.container;
      expect((c.secrets ?? []).map((r) => r.secretName)).toEqual(s.secrets.map((r) => converted.secrets.find((o) => o.key === r.source)?.name));
      expect((c.configs ?? []).map((r) => r.configName)).toEqual(s.configs.map((r) => converted.configs.find((o) => o.key === r.source)?.name));
      for (const r of c.secrets ?? []) expect(secretNames.has(r.secretName)).toBe(true);
      for (const r of c.configs ?? []) expect(configNames.has(r.configName)).toBe(true);
    });
    expect(converted.notices.filter((n) => /(secrets?|configs?) (are|is) not supported|will not exist in its containers/.test(n))).toEqual([]);
  });

  test('renders; the rendering loads again and renders the same', () => {
    const text = renderStackConfig(stack);
    expect(text.startsWith(`version: "${stack.version}"\nservices:\n`)).toBe(true);
    // Strings holding `$` would be interpolated a second time, as with docker.
    if (text.includes('$')) return;
    const reload = () => loadStack({ files: [{ path: join(CORPUS, 'rendered.yml'), content: text }], env: {}, readEnvFile });
    if (NOT_RELOADABLE.includes(name)) {
      // docker names external secrets in its rendering (`name: x`), which the
      // schemas before 3.5 do not allow: docker's own output of these files
      // does not load again either.
      expect(issueLines(reload).every((l) => /secrets\.[\w-]+: Additional property name is not allowed$/.test(l))).toBe(true);
      return;
    }
    expect(renderStackConfig(reload())).toBe(text);
  });
});

describe.each(Object.entries(FAILS))('%s', (name, expected) => {
  test('fails with exactly these messages, a reason docs/compose.md lists', () => {
    expect(issueLines(() => loadCorpus(name, expected.env ?? ENV))).toEqual(expected.issues);
    expect(DOCS).toContain(expected.documented);
  });
});

describe('without the variables they require', () => {
  test('07 names each missing variable, where it is used', () => {
    expect(issueLines(() => loadCorpus('07-dockerswarm-rocks-traefik-host.yml', {}))).toEqual([
      '34:11 services.traefik.deploy.labels[3]: required variable USERNAME is missing a value: Variable not set',
      '41:11 services.traefik.deploy.labels[6]: required variable DOMAIN is missing a value: Variable not set',
      '46:11 services.traefik.deploy.labels[9]: required variable DOMAIN is missing a value: Variable not set',
      '76:9 services.traefik.command[6]: required variable EMAIL is missing a value: Variable not set',
    ]);
  });

  test('13: an empty hostname makes its constraint invalid', () => {
    expect(issueLines(() => loadCorpus('13-vegasbrianc-pwd-stack.yml', {}))).toEqual([
      '38:13 services.prometheus.deploy.placement.constraints[0]: invalid constraint "node.hostname == ": missing value after the operator',
      '74:13 services.alertmanager.deploy.placement.constraints[0]: invalid constraint "node.hostname == ": missing value after the operator',
    ]);
  });

  test('18: every image is a variable', () => {
    expect(issueLines(() => loadCorpus('18-promstack-prometheus-tmpl.yml', {}))).toEqual([
      '40:12 services.prometheus-server.image: invalid image reference for service prometheus-server: no image specified',
      '122:12 services.prometheus.image: invalid image reference for service prometheus: no image specified',
      '164:12 services.prometheus-rule-provider.image: invalid image reference for service prometheus-rule-provider: no image specified',
      '164:12 services.prometheus-scrape-config-provider.image: invalid image reference for service prometheus-scrape-config-provider: no image specified',
      '214:12 services.prometheus-config-reloader.image: invalid image reference for service prometheus-config-reloader: no image specified',
    ]);
  });
});

describe('golden pair: stack config of 18 is 19', () => {
  // promstack's Makefile ran, from its repository root:
  //   docker stack config -c prometheus/docker-stack.tmpl.yml > prometheus/docker-stack-config.yml
  //   sed 's|$(PWD)/prometheus/|./|g' prometheus/docker-stack-config.yml > prometheus/docker-stack.yml
  //   hacks/docker-stack-sanitize.sh prometheus/docker-stack.yml   # deletes the first line
  // with the variables of .dockerenv. The same steps here, the repository
  // standing at /promstack (loadStack reads nothing from disk).
  const template = readFileSync(join(CORPUS, '18-promstack-prometheus-tmpl.yml'), 'utf8');
  const golden = readFileSync(join(CORPUS, '19-promstack-prometheus-rendered.yml'), 'utf8');
  const rendered = renderStackConfig(
    loadStack({ files: [{ path: '/promstack/prometheus/docker-stack.tmpl.yml', content: template }], env: ENV }),
  );

  test('the two differences are the sed path rewrite and the deleted version line, nothing else', () => {
    const lines = rendered.split('\n');
    expect(lines[0]).toBe('version: "3.13"');
    expect(rendered).toContain('    file: /promstack/prometheus/prometheus/prometheus.yaml.tmpl\n');
    const sanitized = lines.slice(1).join('\n').replace(/\/promstack\/prometheus\//g, './');
    expect(sanitized).toBe(golden);
  });

  test('the sanitize script deletes exactly the first line', () => {
    expect(readFileSync(join(EXTRA, 'promstack-docker-stack-sanitize.sh'), 'utf8')).toContain("sed -i '1d'");
  });
});

test('the eight loadable corpus stacks that use secrets or configs give them to their services', () => {
  // The ninth, 09, is docker's loader fixture and fails on its constraint (FAILS above).
  const using = Object.keys(LOADS).filter((name) => {
    const converted = convertStack(loadCorpus(name), 'corpus');
    return converted.services.some((s) => (s.task.container.secrets ?? []).length + (s.task.container.configs ?? []).length > 0);
  });
  expect(using.sort()).toEqual([
    '02-atsea-sample-shop-stack.yml',
    '03-swarmprom.yml',
    '05-dogvscat-swarmprom.yml',
    '06-dogvscat-ghost.yml',
    '11-udemy-voting-app-healthchecks.yml',
    '17-openfaas-swarm.yml',
    '18-promstack-prometheus-tmpl.yml',
    '19-promstack-prometheus-rendered.yml',
  ]);
});
