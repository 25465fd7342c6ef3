import { planListeners } from '../../lib/network/listen-plan';
import { OwnTasks } from '../../lib/network/local-tasks';
import { Peers } from '../../lib/network/peers';
import { sampleTable } from './fixtures';

describe('the listeners a table calls for', () => {
  const table = sampleTable();
  const peers = new Peers(table, new OwnTasks());
  const specs = planListeners(table.current, { publishAddr: '127.0.0.5', current: () => table.current, identify: (a) => peers.identify(a) });
  const byKey = new Map(specs.map((s) => [s.key, s]));

  test('a VIP listener per network and port the service or its tasks serve; none for dnsrr', () => {
    expect([...byKey.keys()].filter((k) => k.startsWith('vip|')).sort()).toEqual([
      'vip|10.1.0.2|80/tcp',
      'vip|10.1.0.3|8080/tcp',
      'vip|10.2.0.2|8080/tcp',
    ]);
  });

  test('task addresses listen on their own ports; ingress ports on the publish address with the target port', () => {
    expect(byKey.get('task|10.1.0.11|8080/tcp')?.address).toBe('10.1.0.11');
    expect(byKey.has('task|10.2.0.20|8080/tcp')).toBe(false);
    const ingress = byKey.get('ingress|127.0.0.5|8080/tcp');
    expect(ingress).toMatchObject({ address: '127.0.0.5', port: 8080, targetPort: 80 });
    expect(ingress?.allow).toBeUndefined();
  });

  test('backends are the up tasks; a task address has only its task, while up', () => {
    expect(byKey.get('vip|10.1.0.3|8080/tcp')?.backends()).toEqual([{ taskId: 'a1', nodeId: 'n2' }]);
    expect(byKey.get('task|10.1.0.12|8080/tcp')?.backends()).toEqual([]);
  });

  test('only tasks that share the network get in; the host always; strangers never', async () => {
    const apiOnBack = byKey.get('vip|10.2.0.2|8080/tcp');
    const apiOnFront = byKey.get('vip|10.1.0.3|8080/tcp');
    await expect(apiOnBack?.allow?.('172.17.0.2')).resolves.toBe(false); // web: front only
    await expect(apiOnFront?.allow?.('172.17.0.2')).resolves.toBe(true);
    await expect(apiOnBack?.allow?.('172.17.0.3')).resolves.toBe(true); // db: back
    await expect(apiOnBack?.allow?.('127.0.0.1')).resolves.toBe(true);
    await expect(apiOnBack?.allow?.('172.17.0.66')).resolves.toBe(false);
  });
});
