import { containerConfig, publishedPorts, unpublishedPorts } from '../../lib/worker/executor/docker/container-config';
import { FrameDecoder, frameLines } from '../../lib/worker/executor/docker/docker-logs';
import { makeTask } from './helpers';

describe('container config', () => {
  test('maps a task spec to the engine create options', () => {
    const task = makeTask({
      id: 'task1',
      nodeId: 'node1',
      slot: 2,
      container: {
        image: 'busybox:1',
        command: ['sh', '-c'],
        args: ['echo hi'],
        env: ['A=1'],
        labels: { team: 'blue', 'com.docker.swarm.node.id': 'spoofed' },
        dir: '/w',
        user: '1:2',
        hostname: 'h',
        mounts: [
          { type: 'bind', source: '/data', target: '/d', readOnly: true },
          { type: 'volume', source: '', target: '/v', readOnly: false },
        ],
        stopGracePeriodMs: 1500,
        healthcheck: { test: ['CMD', 'true'], intervalMs: 200, retries: 2 },
      },
      limits: { nanoCPUs: 250_000_000, memoryBytes: 1 << 26 },
      ports: [
        { protocol: 'tcp', targetPort: 80, publishedPort: 0, publishMode: 'host' },
        { protocol: 'udp', targetPort: 53, publishedPort: 5353, publishMode: 'host' },
        { protocol: 'tcp', targetPort: 443, publishedPort: 8443, publishMode: 'ingress' },
      ],
    });
    const c = containerConfig(task, 'node1');
    expect(c).toMatchObject({
      name: 'web.2.task1',
      Image: 'busybox:1',
      Entrypoint: ['sh', '-c'],
      Cmd: ['echo hi'],
      Env: ['A=1'],
      WorkingDir: '/w',
      User: '1:2',
      Hostname: 'h',
      StopTimeout: 2,
      Healthcheck: { Test: ['CMD', 'true'], Interval: 200_000_000, Retries: 2 },
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      HostConfig: {
        Mounts: [
          { Type: 'bind', Source: '/data', Target: '/d', ReadOnly: true },
          { Type: 'volume', Source: '', Target: '/v', ReadOnly: false },
        ],
        NanoCpus: 250_000_000,
        Memory: 1 << 26,
        PortBindings: { '80/tcp': [{ HostPort: '' }], '53/udp': [{ HostPort: '5353' }] },
        RestartPolicy: { Name: 'no' },
      },
    });
    expect(c.Labels).toMatchObject({ team: 'blue', 'com.docker.swarm.node.id': 'node1', 'com.docker.swarm.task.id': 'task1' });
    expect(c.HostConfig?.MemoryReservation).toBeUndefined();
  });

  test('reads published ports once each, and names the requested ones the engine left out', () => {
    const ports = publishedPorts({
      '80/tcp': [
        { HostIp: '0.0.0.0', HostPort: '49153' },
        { HostIp: '::', HostPort: '49153' },
      ],
      '9000/tcp': [],
    });
    expect(ports).toEqual([{ protocol: 'tcp', targetPort: 80, publishedPort: 49153, publishMode: 'host' }]);
    const wanted = [
      { protocol: 'tcp' as const, targetPort: 80, publishedPort: 0, publishMode: 'host' as const },
      { protocol: 'udp' as const, targetPort: 53, publishedPort: 53, publishMode: 'host' as const },
    ];
    expect(unpublishedPorts(wanted, ports)).toEqual(['53/udp']);
  });
});

describe('docker log frames', () => {
  test('reassembles frames split across chunks and keeps the engine timestamp', () => {
    const frame = (stream: number, text: string): Buffer => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    const all = Buffer.concat([frame(1, '2024-05-01T10:00:00.123456789Z hello\n'), frame(2, '2024-05-01T10:00:01.5Z oops\n')]);
    const lines: string[] = [];
    const decoder = new FrameDecoder((stream, payload) =>
      frameLines(payload, stream, { taskId: 't', serviceId: 's' }).forEach((l) => lines.push(`${l.stream} ${l.timestamp} ${l.line}`)),
    );
    for (let i = 0; i < all.length; i += 5) decoder.push(all.subarray(i, i + 5));
    expect(lines).toEqual(['stdout 2024-05-01T10:00:00.123456789Z hello', 'stderr 2024-05-01T10:00:01.500000000Z oops']);
  });
});
