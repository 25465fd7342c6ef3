import { renderInfo, type SwarmInfo } from '../../../lib/cli/render/swarm-info';

const info: SwarmInfo = {
  clusterId: 'q3rg1o0tg8ng6ttcv8vrc9b6l',
  nodeId: 'e216jshn25ckzbvmwlnh5jr3g',
  hostname: 'm1',
  role: 'manager',
  state: 'active',
  isManager: true,
  nodeAddr: '10.0.0.1',
  managers: [
    { nodeId: 'b', addr: '10.0.0.2:4242', reachability: 'reachable', leader: false },
    { nodeId: 'a', addr: '10.0.0.1:4242', reachability: 'reachable', leader: true },
  ],
  nodes: 5,
  managersCount: 2,
  raft: { snapshotInterval: 10000, heartbeatTick: 1, electionTick: 10 },
  dispatcherHeartbeatMs: 5000,
  caCertExpiry: 90 * 24 * 3_600_000,
  swarmVersion: '0.1.0',
};

describe('swarm info', () => {
  test("a manager: docker info's swarm section", () => {
    expect(renderInfo(info)).toBe(
      [
        'Swarm: active',
        ' NodeID: e216jshn25ckzbvmwlnh5jr3g',
        ' Is Manager: true',
        ' ClusterID: q3rg1o0tg8ng6ttcv8vrc9b6l',
        ' Managers: 2',
        ' Nodes: 5',
        ' Raft:',
        '  Snapshot Interval: 10000',
        '  Heartbeat Tick: 1',
        '  Election Tick: 10',
        ' Dispatcher:',
        '  Heartbeat Period: 5 seconds',
        ' CA Configuration:',
        '  Expiry Duration: 3 months',
        ' Node Address: 10.0.0.1',
        ' Manager Addresses:',
        '  10.0.0.1:4242',
        '  10.0.0.2:4242',
        '',
      ].join('\n'),
    );
  });

  test('a worker sees no cluster details; a locked node only its state and how to unlock', () => {
    const worker = { ...info, isManager: false, role: 'worker' as const, managersCount: 0, nodes: 0, taskHistoryLimit: 5 };
    expect(renderInfo(worker)).toBe(
      'Swarm: active\n NodeID: e216jshn25ckzbvmwlnh5jr3g\n Is Manager: false\n Node Address: 10.0.0.1\n' +
        ' Manager Addresses:\n  10.0.0.1:4242\n  10.0.0.2:4242\n',
    );
    const hint = 'Swarm is encrypted and needs to be unlocked before it can be used. Please use "swarm unlock" to unlock it.';
    expect(renderInfo({ ...info, state: 'locked', error: hint })).toBe(`Swarm: locked\n NodeID: e216jshn25ckzbvmwlnh5jr3g\n Error: ${hint}\n`);
  });

  test('an error is printed and hides the cluster section; task history shows when known', () => {
    const text = renderInfo({ ...info, state: 'error', error: 'raft: no quorum' });
    expect(text).toBe(
      'Swarm: error\n NodeID: e216jshn25ckzbvmwlnh5jr3g\n Error: raft: no quorum\n Is Manager: true\n' +
        ' Node Address: 10.0.0.1\n Manager Addresses:\n  10.0.0.1:4242\n  10.0.0.2:4242\n',
    );
    expect(renderInfo({ ...info, taskHistoryLimit: 5 })).toContain(' Nodes: 5\n Orchestration:\n  Task History Retention Limit: 5\n Raft:\n');
  });

  test('--format json: one line, docker swarm.Info keys, durations in nanoseconds', () => {
    const out = renderInfo(info, { format: 'json' });
    expect(out.endsWith('\n')).toBe(true);
    expect(out.trimEnd().includes('\n')).toBe(false);
    expect(JSON.parse(out)).toEqual({
      NodeID: 'e216jshn25ckzbvmwlnh5jr3g',
      NodeAddr: '10.0.0.1',
      LocalNodeState: 'active',
      ControlAvailable: true,
      Error: '',
      RemoteManagers: [
        { NodeID: 'a', Addr: '10.0.0.1:4242' },
        { NodeID: 'b', Addr: '10.0.0.2:4242' },
      ],
      Nodes: 5,
      Managers: 2,
      Cluster: {
        ID: 'q3rg1o0tg8ng6ttcv8vrc9b6l',
        Spec: {
          Raft: { SnapshotInterval: 10000, ElectionTick: 10, HeartbeatTick: 1 },
          Dispatcher: { HeartbeatPeriod: 5_000_000_000 },
          CAConfig: { NodeCertExpiry: 90 * 24 * 3600 * 1e9 },
        },
      },
      Hostname: 'm1',
      Role: 'manager',
      SwarmVersion: '0.1.0',
    });
  });
});
