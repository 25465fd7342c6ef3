import { hostsFileText, serviceEnv } from '../../lib/network/process-view';
import { sampleTable } from './fixtures';

describe("a process task's view of the services", () => {
  const index = sampleTable().current;

  test('the services of its networks as SWARM_SERVICE_<NAME>, aliases too, the first network winning', () => {
    expect(serviceEnv(index, ['front'])).toEqual({
      SWARM_SERVICE_APP_WEB: '10.1.0.2',
      SWARM_SERVICE_WEB: '10.1.0.2',
      SWARM_SERVICE_APP_API: '10.1.0.3',
      SWARM_SERVICE_API: '10.1.0.3',
    });
    // back: api's VIP there; db is dnsrr (no VIP) and so has no entry.
    expect(serviceEnv(index, ['back', 'front']).SWARM_SERVICE_API).toBe('10.2.0.2');
    expect(serviceEnv(index, [])).toEqual({});
  });

  test('the hosts file lists every VIP with its names', () => {
    expect(hostsFileText(index).split('\n').slice(1)).toEqual(['10.1.0.2\tapp_web web', '10.1.0.3\tapp_api api', '10.2.0.2\tapp_api api', '']);
  });
});
