import { LocalRoutes } from '../../lib/network/routes';

describe('local routes', () => {
  test('adds what is new, removes what went, and refreshes all on request', async () => {
    const runs: string[][] = [];
    const routes = new LocalRoutes({ warn: () => undefined }, async (lines) => {
      runs.push([...lines]);
      return { ok: true, stderr: '' };
    });
    await routes.sync(['10.1.0.0/24', '10.2.0.0/24']);
    await routes.sync(['10.1.0.0/24', '10.2.0.0/24']);
    await routes.sync(['10.2.0.0/24']);
    await routes.sync(['10.2.0.0/24'], true);
    await routes.clear();
    expect(runs).toEqual([
      ['route replace local 10.1.0.0/24 dev lo table local', 'route replace local 10.2.0.0/24 dev lo table local'],
      ['route del local 10.1.0.0/24 dev lo table local'],
      ['route replace local 10.2.0.0/24 dev lo table local'],
      ['route del local 10.2.0.0/24 dev lo table local'],
    ]);
  });

  test('without the privilege it says so once and stops trying', async () => {
    const warnings: string[] = [];
    let calls = 0;
    const routes = new LocalRoutes({ warn: (m) => warnings.push(m) }, async () => {
      calls++;
      return { ok: false, stderr: 'RTNETLINK answers: Operation not permitted' };
    });
    expect(await routes.sync(['10.1.0.0/24'])).toBe(false);
    expect(await routes.sync(['10.1.0.0/24', '10.3.0.0/24'])).toBe(false);
    expect(calls).toBe(1);
    expect(warnings).toEqual([expect.stringContaining('needs CAP_NET_ADMIN')]);
    expect(routes.available).toBe(false);
  });

  test('with the real ip command, a route makes every address of the subnet bindable', async () => {
    const net = await import('net');
    const routes = new LocalRoutes({ warn: (m) => { throw new Error(m); } });
    const subnet = '100.127.240.0/28';
    try {
      expect(await routes.sync([subnet])).toBe(true);
      // Every socket is closed before the route goes: a socket whose route is gone
      // retransmits for 15 minutes and then fails with no one listening.
      const server = net.createServer((c) => {
        c.on('error', () => undefined);
        c.end('ok');
      });
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(48123, '100.127.240.9', () => resolve()));
      const got = await new Promise<string>((resolve, reject) => {
        const c = net.connect(48123, '100.127.240.9');
        let b = '';
        c.on('data', (d) => (b += d)).on('error', reject).on('close', () => resolve(b));
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
      expect(got).toBe('ok');
    } finally {
      await routes.clear();
    }
  });
});
