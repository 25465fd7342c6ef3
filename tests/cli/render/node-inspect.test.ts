import type { Node } from '../../../lib/api/types';
import { renderNodeInspect } from '../../../lib/cli/render/node-inspect';
import { deepFreeze } from '../../../lib/manager/store/deep-freeze';

const leader: Node = {
  id: 'e216jshn25ckzbvmwlnh5jr3g',
  meta: { version: 10, createdAt: '2024-03-05T14:07:09.50Z', updatedAt: '2024-03-05T14:08:00Z' },
  spec: { labels: { zone: 'b', ssd: '', 'a<b': 'x&y' }, desiredRole: 'manager', availability: 'active' },
  role: 'manager',
  description: {
    hostname: 'swarm-manager',
    platform: { os: 'linux', arch: 'x86_64' },
    resources: { nanoCPUs: 2_500_000_000, memoryBytes: 2087354368 },
    engine: { version: '24.0.7', labels: { storage: 'ssd' } },
  },
  status: { state: 'ready', addr: '172.17.0.2' },
  managerStatus: { raftId: 1, addr: '172.17.0.2:4242' },
};

const bare: Node = {
  id: 'x0000000000000000000000x1',
  meta: { version: 3, createdAt: '2024-03-05T14:07:09Z', updatedAt: '2024-03-05T14:07:09Z' },
  spec: { labels: {}, desiredRole: 'worker', availability: 'drain' },
  role: 'worker',
  status: { state: 'down', message: 'heartbeat FAILURE' },
};

const view = { leaderNodeId: leader.id, reachability: () => 'reachable' as const };

describe('node inspect', () => {
  test("JSON: docker's shape, Go's four-space indent, sorted maps, HTML-escaped like Go", () => {
    const out = renderNodeInspect(deepFreeze([leader]), view);
    expect(out).toBe(
      [
        '[',
        '    {',
        '        "ID": "e216jshn25ckzbvmwlnh5jr3g",',
        '        "Version": {',
        '            "Index": 10',
        '        },',
        '        "CreatedAt": "2024-03-05T14:07:09.50Z",',
        '        "UpdatedAt": "2024-03-05T14:08:00Z",',
        '        "Spec": {',
        '            "Labels": {',
        '                "a\\u003cb": "x\\u0026y",',
        '                "ssd": "",',
        '                "zone": "b"',
        '            },',
        '            "Role": "manager",',
        '            "Availability": "active"',
        '        },',
        '        "Description": {',
        '            "Hostname": "swarm-manager",',
        '            "Platform": {',
        '                "Architecture": "x86_64",',
        '                "OS": "linux"',
        '            },',
        '            "Resources": {',
        '                "NanoCPUs": 2500000000,',
        '                "MemoryBytes": 2087354368',
        '            },',
        '            "Engine": {',
        '                "EngineVersion": "24.0.7",',
        '                "Labels": {',
        '                    "storage": "ssd"',
        '                }',
        '            }',
        '        },',
        '        "Status": {',
        '            "State": "ready",',
        '            "Addr": "172.17.0.2"',
        '        },',
        '        "ManagerStatus": {',
        '            "Leader": true,',
        '            "Reachability": "reachable",',
        '            "Addr": "172.17.0.2:4242"',
        '        }',
        '    }',
        ']',
        '',
      ].join('\n'),
    );
  });

  test('JSON: empty parts are left out as Go omitempty does, empty labels stay {}', () => {
    const [json] = JSON.parse(renderNodeInspect([bare]));
    expect(json).toEqual({
      ID: bare.id,
      Version: { Index: 3 },
      CreatedAt: '2024-03-05T14:07:09Z',
      UpdatedAt: '2024-03-05T14:07:09Z',
      Spec: { Labels: {}, Role: 'worker', Availability: 'drain' },
      Description: { Platform: {}, Resources: {}, Engine: {} },
      Status: { State: 'down', Message: 'heartbeat FAILURE' },
    });
    expect(renderNodeInspect([])).toBe('[]\n');
  });

  test("--pretty: docker's template, tabs and all", () => {
    expect(renderNodeInspect([leader], { ...view, pretty: true })).toBe(
      [
        'ID:\t\t\te216jshn25ckzbvmwlnh5jr3g',
        'Labels:',
        ' - a<b=x&y',
        ' - ssd',
        ' - zone=b',
        'Hostname:              \tswarm-manager',
        'Joined at:             \t2024-03-05 14:07:09.5 +0000 utc',
        'Status:',
        ' State:\t\t\tReady',
        ' Availability:         \tActive',
        ' Address:\t\t172.17.0.2',
        'Manager Status:',
        ' Address:\t\t172.17.0.2:4242',
        ' Raft Status:\t\tReachable',
        ' Leader:\t\tYes',
        'Platform:',
        ' Operating System:\tlinux',
        ' Architecture:\t\tx86_64',
        'Resources:',
        ' CPUs:\t\t\t2',
        ' Memory:\t\t1.944GiB',
        'Engine Version:\t\t24.0.7',
        'Engine Labels:',
        ' - storage=ssd',
        '',
      ].join('\n'),
    );
  });

  test('--pretty for a worker without a description; blocks follow each other with no blank line', () => {
    const text = renderNodeInspect([bare, bare], { pretty: true });
    const block = [
      'ID:\t\t\tx0000000000000000000000x1',
      'Hostname:              \t',
      'Joined at:             \t2024-03-05 14:07:09 +0000 utc',
      'Status:',
      ' State:\t\t\tDown',
      ' Message:              \tHeartbeat failure',
      ' Availability:         \tDrain',
      'Platform:',
      ' Operating System:\t',
      ' Architecture:\t\t',
      'Resources:',
      ' CPUs:\t\t\t0',
      ' Memory:\t\t',
      'Engine Version:\t\t',
      '',
    ].join('\n');
    expect(text).toBe(block + block);
  });

  test('a follower manager is Leader: No, and a name shows when set', () => {
    const follower = { ...leader, spec: { ...leader.spec, name: 'db', labels: {} } };
    const text = renderNodeInspect([follower], { leaderNodeId: 'someone-else', reachability: () => 'unreachable' as const, pretty: true });
    expect(text).toContain('ID:\t\t\te216jshn25ckzbvmwlnh5jr3g\nName:\t\t\tdb\nHostname:');
    expect(text).toContain(' Raft Status:\t\tUnreachable\n Leader:\t\tNo\n');
  });
});
