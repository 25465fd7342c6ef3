import type { NetworkListView } from '../../lib/api/network-api';
import { BACK, FRONT, INGRESS, network, view } from './render/network-fixtures';
import { type FakeDaemon, runCli, startFakeDaemon } from './helpers/fake-daemon';

// `swarm network …` against a fake control socket: what each command sends,
// what it prints, and that bad input is refused before anything is sent.

let daemon: FakeDaemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const LIST: NetworkListView = { stale: false, networks: [FRONT, INGRESS, BACK] };

describe('network create', () => {
  test('sends the spec and prints the full id, as docker does', async () => {
    daemon = await startFakeDaemon({ 'POST /v1/networks': { body: network('n3wnet000000000000000000z', 'back', '10.1.0.0/24') } });
    const run = await runCli(['network', 'create', '--attachable', '--label', 'team=db', '--subnet', '10.1.0.0/24', 'back'], daemon.dataDir);
    expect(run).toEqual({ exitCode: 0, stdout: 'n3wnet000000000000000000z\n', stderr: '' });
    expect(daemon.sent).toEqual([
      {
        method: 'POST',
        path: '/v1/networks',
        body: {
          spec: { name: 'back', labels: { team: 'db' }, driver: 'overlay', attachable: true, internal: false, ingress: false, subnet: '10.1.0.0/24' },
        },
      },
    ]);
  });

  test('without --subnet the spec has none (the manager takes one from the pool); -d overlay and --internal', async () => {
    daemon = await startFakeDaemon({ 'POST /v1/networks': { body: network('x', 'front', '100.64.16.0/20') } });
    await runCli(['network', 'create', '-d', 'overlay', '--internal', 'front'], daemon.dataDir);
    expect(daemon.sent[0].body).toEqual({
      spec: { name: 'front', labels: {}, driver: 'overlay', attachable: false, internal: true, ingress: false },
    });
  });

  test.each([
    [['-d', 'bridge', 'net'], 'Error: invalid argument "bridge" for "--driver" flag: only overlay networks can be created on a swarm (leave out -d, or use -d overlay)\n'],
    [['--subnet', '10.0.0.1/24', 'net'], 'Error: invalid argument "10.0.0.1/24" for "--subnet" flag: invalid subnet "10.0.0.1/24": it has host bits set (the network is 10.0.0.0/24)\n'],
    [['--subnet', 'fd00::/64', 'net'], 'Error: invalid argument "fd00::/64" for "--subnet" flag: invalid subnet "fd00::/64": use a CIDR such as 10.0.1.0/24\n'],
    [['--subnet', '10.0.0.0/31', 'net'], 'Error: invalid argument "10.0.0.0/31" for "--subnet" flag: too small: a network needs its gateway and addresses for tasks (use /30 or larger)\n'],
    [['--subnet', '10.0.0.0/24', '--subnet', '10.0.1.0/24', 'net'], 'Error: invalid argument "10.0.1.0/24" for "--subnet" flag: only one --subnet can be given (networks here are IPv4 only)\n'],
    [['--scope', 'local', 'net'], 'Error: invalid argument "local" for "--scope" flag: networks here always span the swarm: the only scope is swarm\n'],
    [['-o', 'com.docker.network.driver.mtu=1400', 'net'], 'Error: invalid argument "com.docker.network.driver.mtu=1400" for "--opt" flag: overlay networks here take no driver options except encrypted\n'],
    [['--label', '=x', 'net'], 'Error: invalid argument "=x" for "--label" flag: invalid label: empty name\n'],
    [['my.net'], 'Error: invalid network name "my.net": use letters and digits with - or _ between them, at most 63 characters\n'],
  ])('%j is refused in one line, nothing sent', async (args, stderr) => {
    daemon = await startFakeDaemon({});
    const run = await runCli(['network', 'create', ...args], daemon.dataDir);
    expect(run).toEqual({ exitCode: 1, stdout: '', stderr });
    expect(daemon.sent).toEqual([]);
  });

  test('--opt encrypted is taken, with a note that traffic between nodes is always encrypted', async () => {
    daemon = await startFakeDaemon({ 'POST /v1/networks': { body: network('e', 'secure', '10.2.0.0/24') } });
    const run = await runCli(['network', 'create', '--opt', 'encrypted', 'secure'], daemon.dataDir);
    expect(run.stderr).toBe('note: --opt encrypted changes nothing: traffic between nodes always goes over mutual TLS\n');
    expect(run.exitCode).toBe(0);
  });

  test("the manager's refusal is one line", async () => {
    daemon = await startFakeDaemon({ 'POST /v1/networks': { status: 409, error: 'network with name back already exists' } });
    const run = await runCli(['network', 'create', 'back'], daemon.dataDir);
    expect(run).toEqual({ exitCode: 1, stdout: '', stderr: 'Error: network with name back already exists\n' });
  });
});

describe('network ls', () => {
  test('GET /v1/networks, filtered and sorted here', async () => {
    daemon = await startFakeDaemon({ 'GET /v1/networks': { body: LIST } });
    const run = await runCli(['network', 'ls', '--filter', 'type=custom', '-q'], daemon.dataDir);
    expect(run).toEqual({ exitCode: 0, stdout: 'b4ck00000000\nf1r0nt000000\n', stderr: '' });
    expect(daemon.sent).toEqual([{ method: 'GET', path: '/v1/networks', body: undefined }]);
  });

  test('a stale answer is printed with the warning; a bad filter sends nothing', async () => {
    daemon = await startFakeDaemon({ 'GET /v1/networks': { body: { ...LIST, stale: true } } });
    const stale = await runCli(['network', 'ls', '-q'], daemon.dataDir);
    expect(stale.stderr).toMatch(/no quorum/);
    expect(stale.stdout.split('\n')).toHaveLength(4);
    const bad = await runCli(['network', 'ls', '--filter', 'colour=red'], daemon.dataDir);
    expect(bad).toEqual({ exitCode: 1, stdout: '', stderr: "Error: invalid filter 'colour'\n" });
    expect(daemon.sent).toHaveLength(1);
  });
});

describe('network inspect', () => {
  test('found ones are printed, then "No such network" for each missing one, exit 1', async () => {
    daemon = await startFakeDaemon({
      'GET /v1/networks/front': { body: view(FRONT) },
      'GET /v1/networks/nope': { status: 404, error: 'network nope not found' },
      'GET /v1/networks/app_back': { body: view(BACK) },
    });
    const run = await runCli(['network', 'inspect', 'front', 'nope', 'app_back', 'nope'], daemon.dataDir);
    expect(JSON.parse(run.stdout).map((n: { Name: string }) => n.Name)).toEqual(['front', 'app_back']);
    expect(run.stderr).toBe('Error: No such network: nope\nError: No such network: nope\n');
    expect(run.exitCode).toBe(1);
  });

  test('none found: [] and the error', async () => {
    daemon = await startFakeDaemon({});
    const run = await runCli(['network', 'inspect', 'x'], daemon.dataDir);
    expect(run).toEqual({ exitCode: 1, stdout: '[]\n', stderr: 'Error: No such network: x\n' });
  });

  test("-v asks the node list for the tasks' host addresses", async () => {
    daemon = await startFakeDaemon({
      'GET /v1/networks/front': {
        body: view(FRONT, [
          { id: 's', name: 'web', vip: '10.10.0.2', aliases: [], tasks: [{ id: 't', name: 'web.1.t', nodeId: 'n1', nodeName: 'm1', addr: '10.10.0.3', state: 'running' }] },
        ]),
      },
      'GET /v1/nodes': { body: { nodes: [{ id: 'n1', status: { state: 'ready', addr: '192.168.1.10' } }] } },
    });
    const run = await runCli(['network', 'inspect', '-v', 'front'], daemon.dataDir);
    expect(JSON.parse(run.stdout)[0].Services.web.Tasks[0].Info).toEqual({ 'Host IP': '192.168.1.10' });
    expect(daemon.sent.map((r) => r.path)).toEqual(['/v1/networks/front', '/v1/nodes']);
  });
});

describe('network rm', () => {
  test('each removed name is printed; each failure is its own line; exit 1 if any failed', async () => {
    daemon = await startFakeDaemon({
      'POST /v1/networks/front/remove': { body: { id: FRONT.id } },
      'POST /v1/networks/app_back/remove': { status: 409, error: 'network app_back is in use by service app_db' },
      'POST /v1/networks/gone/remove': { status: 404, error: 'network gone not found' },
    });
    const run = await runCli(['network', 'rm', 'app_back', 'front', 'gone'], daemon.dataDir);
    expect(run).toEqual({
      exitCode: 1,
      stdout: 'front\n',
      stderr: 'Error: network app_back is in use by service app_db\nError: network gone not found\n',
    });
    expect(daemon.sent.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/v1/networks/app_back/remove', {}],
      ['POST', '/v1/networks/front/remove', {}],
      ['POST', '/v1/networks/gone/remove', {}],
    ]);
  });

  test('-f: a network that does not exist is not an error', async () => {
    daemon = await startFakeDaemon({ 'POST /v1/networks/gone/remove': { status: 404, error: 'network gone not found' } });
    expect(await runCli(['network', 'rm', '-f', 'gone'], daemon.dataDir)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });
});
