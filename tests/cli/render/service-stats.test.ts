// `service stats` output in docker stats' words and layout.

import type { TaskStatsEntry } from '../../../lib/manager/metrics/stats-view';
import { checkStatsFormat, humanSize, renderServiceStats } from '../../../lib/cli/render/service-stats';

const busy: TaskStatsEntry = {
  taskId: 'bdik61i14z3rwphuxne3qlntb',
  name: 'burn.1',
  serviceId: 's1',
  serviceName: 'burn',
  nodeId: 'n1',
  node: 'm1',
  sample: {
    taskId: 'bdik61i14z3rwphuxne3qlntb',
    timestamp: 0,
    cpuPercent: 95.478,
    memoryBytes: 348_160,
    memoryLimitBytes: 25_276_035_072,
    netRxBytes: 806,
    netTxBytes: 0,
    blockReadBytes: 1_234_567,
    blockWriteBytes: 4096,
    pids: 1,
  },
};
const starting: TaskStatsEntry = { taskId: 'ealfh1a1nfj1xx7bg949po04h', name: 'idle.1', serviceId: 's2', serviceName: 'idle', nodeId: 'n2', node: 'w1' };

describe('service stats output', () => {
  it('the default table: docker stats columns per task, with its node; a task without a sample shows --', () => {
    expect(renderServiceStats([busy, starting])).toBe(
      [
        'ID             NAME      NODE      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O     BLOCK I/O        PIDS',
        'bdik61i14z3r   burn.1    m1        95.48%    340KiB / 23.54GiB   0.00%     806B / 0B   1.23MB / 4.1kB   1',
        'ealfh1a1nfj1   idle.1    w1        --        --                  --        --          --               --',
        '',
      ].join('\n'),
    );
  });

  it('json: one object a line, docker\'s keys and string values, full ids with --no-trunc', () => {
    const lines = renderServiceStats([busy], { format: 'json', noTrunc: true }).trim().split('\n');
    expect(JSON.parse(lines[0])).toEqual({
      BlockIO: '1.23MB / 4.1kB',
      CPUPerc: '95.48%',
      ID: 'bdik61i14z3rwphuxne3qlntb',
      MemPerc: '0.00%',
      MemUsage: '340KiB / 23.54GiB',
      Name: 'burn.1',
      NetIO: '806B / 0B',
      Node: 'm1',
      PIDs: '1',
      Service: 'burn',
    });
  });

  it('templates: plain lines, or a table with headers', () => {
    expect(renderServiceStats([busy, starting], { format: '{{.Name}}: {{.CPUPerc}}' })).toBe('burn.1: 95.48%\nidle.1: --\n');
    expect(renderServiceStats([busy], { format: 'table {{.Service}}\\t{{.MemPerc}}' })).toBe('SERVICE   MEM %\nburn      0.00%\n');
  });

  it('a template naming an unknown field is refused before anything is shown', () => {
    expect(() => checkStatsFormat('{{.Name}} {{.Container}}')).toThrow('invalid --format: {{.Container}} is not a field');
    expect(() => renderServiceStats([busy], { format: '{{json .}}' })).toThrow('invalid --format');
  });

  it('memory percent against the limit; decimal sizes as go-units prints them', () => {
    const half = { ...busy, sample: { ...busy.sample!, memoryBytes: 64 * 1024 * 1024, memoryLimitBytes: 128 * 1024 * 1024 } };
    expect(renderServiceStats([half], { format: '{{.MemUsage}} {{.MemPerc}}' })).toBe('64MiB / 128MiB 50.00%\n');
    expect([0, 999, 1000, 1_500_000, 2.5e9].map(humanSize)).toEqual(['0B', '999B', '1kB', '1.5MB', '2.5GB']);
  });
});
