import { gatewayOf, renderNetworkInspect } from '../../../lib/cli/render/network-inspect';
import { BACK, FRONT, view } from './network-fixtures';

describe('network inspect', () => {
  test("docker's layout for a swarm network: key order, IPAM with the subnet's first address as gateway, four-space indent", () => {
    expect(renderNetworkInspect([view(BACK)])).toBe(
      `[
    {
        "Name": "app_back",
        "Id": "b4ck0000000000000000000zz",
        "Created": "2024-05-01T10:00:00.123456789Z",
        "Scope": "swarm",
        "Driver": "overlay",
        "EnableIPv4": true,
        "EnableIPv6": false,
        "IPAM": {
            "Driver": "default",
            "Options": null,
            "Config": [
                {
                    "Subnet": "100.64.16.0/20",
                    "Gateway": "100.64.16.1"
                }
            ]
        },
        "Internal": true,
        "Attachable": false,
        "Ingress": false,
        "ConfigFrom": {
            "Network": ""
        },
        "ConfigOnly": false,
        "Containers": {},
        "Options": {},
        "Labels": {
            "com.docker.stack.namespace": "app",
            "tier": "db"
        }
    }
]
`,
    );
  });

  test('gateway: the first address of any subnet', () => {
    expect(gatewayOf('10.0.1.0/24')).toBe('10.0.1.1');
    expect(gatewayOf('100.64.0.0/10')).toBe('100.64.0.1');
  });

  test('several networks in one array; none as []; --format json as one compact line', () => {
    const parsed = JSON.parse(renderNetworkInspect([view(BACK), view(FRONT)]));
    expect(parsed.map((n: { Name: string }) => n.Name)).toEqual(['app_back', 'front']);
    expect(parsed[1]).toMatchObject({ Attachable: true, Internal: false, Labels: {} });
    expect(renderNetworkInspect([])).toBe('[]\n');
    const compact = renderNetworkInspect([view(FRONT)], { format: 'json' });
    expect(compact.split('\n')).toEqual([expect.stringMatching(/^\[\{"Name":"front","Id":"f1r0nt/), '']);
    expect(renderNetworkInspect([], { format: 'json' })).toBe('[]\n');
  });

  describe('--verbose', () => {
    const withServices = view(FRONT, [
      {
        id: 'svc2',
        name: 'web',
        vip: '10.10.0.2',
        aliases: ['www'],
        tasks: [
          { id: 't2', name: 'web.2.t2', nodeId: 'n2', nodeName: 'worker-1', addr: '10.10.0.4/24', state: 'running' },
          { id: 't1', name: 'web.1.t1', nodeId: 'n1', nodeName: 'manager-1', addr: '10.10.0.3', state: 'running' },
          { id: 't0', name: 'web.1.t0', nodeId: 'n1', nodeName: 'manager-1', state: 'failed' },
          { id: 't3', name: 'web.3.t3', nodeId: 'n9', nodeName: 'gone', addr: '10.10.0.5', state: 'starting' },
          { id: 't4', name: 'web.4.t4', nodeId: 'n2', nodeName: 'worker-1', addr: '10.10.0.6', state: 'shutdown' },
        ],
      },
      { id: 'svc1', name: 'cache', aliases: [], tasks: [] },
    ]);
    const nodeAddrs = { n1: '192.168.1.10', n2: '192.168.1.11' };

    test("Services by name, each with its VIP and live tasks (docker's endpoints), Host IP from the node's address", () => {
      const [json] = JSON.parse(renderNetworkInspect([withServices], { verbose: true, nodeAddrs }));
      expect(Object.keys(json).slice(-2)).toEqual(['Labels', 'Services']);
      expect(Object.keys(json.Services)).toEqual(['cache', 'web']);
      expect(json.Services.cache).toEqual({ VIP: '', Ports: [], LocalLBIndex: 0, Tasks: [] });
      expect(json.Services.web).toEqual({
        VIP: '10.10.0.2',
        Ports: [],
        LocalLBIndex: 0,
        Tasks: [
          { Name: 'web.1.t1', EndpointID: '', EndpointIP: '10.10.0.3', Info: { 'Host IP': '192.168.1.10' } },
          { Name: 'web.2.t2', EndpointID: '', EndpointIP: '10.10.0.4', Info: { 'Host IP': '192.168.1.11' } },
          // A node whose address is not known: no Host IP rather than a made-up one.
          { Name: 'web.3.t3', EndpointID: '', EndpointIP: '10.10.0.5', Info: {} },
        ],
      });
    });

    test('without --verbose there is no Services key', () => {
      const [json] = JSON.parse(renderNetworkInspect([withServices], { nodeAddrs }));
      expect(json).not.toHaveProperty('Services');
    });
  });
});
