import { convertStack } from '../../lib/compose';
import { issueLines, load, yaml } from './helpers';

// A service's `x-autoscale` in a compose file: the policy it converts to, and
// every mistake reported at its line and column.

const convert = (...lines: string[]) => convertStack(load(yaml('services:', '  web:', '    image: x', ...lines)), 'app');

test('x-autoscale converts to the policy with the defaults for what is left out; replicas start at min', () => {
  const out = convert('    x-autoscale: {min: 2, max: 6, cpu: 70, memory: "80%", down_delay: 2m, up_delay: 15s}', '    deploy:', '      resources: {limits: {memory: 128M}}');
  expect(out.services[0].autoscale).toEqual({ min: 2, max: 6, cpuPercent: 70, memoryPercent: 80, downDelayMs: 120_000, upDelayMs: 15_000 });
  expect(out.services[0].replicas).toBe(2);
  const short = convert('    x-autoscale: {max: 3, cpu: 50}', '    deploy: {replicas: 2}');
  expect(short.services[0].autoscale).toEqual({ min: 1, max: 3, cpuPercent: 50, downDelayMs: 300_000, upDelayMs: 0 });
  expect(short.services[0].replicas).toBe(2);
});

test('a file without x-autoscale has no policy', () => {
  expect(convert('    deploy: {replicas: 2}').services[0].autoscale).toBeUndefined();
});

test('mistakes are reported where they are written', () => {
  expect(issueLines(() => convert('    x-autoscale: {min: 0.5, max: many, cpu: -1, step: 2, down_delay: 5}'))).toEqual([
    '4:55 services.web.x-autoscale.step: unknown key: use min, max, cpu, memory, down_delay, up_delay',
    '4:24 services.web.x-autoscale.min: must be a whole number of replicas, not 0.5',
    '4:34 services.web.x-autoscale.max: must be a whole number of replicas, not "many"',
    '4:45 services.web.x-autoscale.cpu: must be a percent greater than 0 (70 or "70%"), not -1',
    '4:70 services.web.x-autoscale.down_delay: must be a duration such as 5m or 30s, not 5',
  ]);
  expect(issueLines(() => convert('    x-autoscale:', '      cpu: 50'))).toEqual(['5:7 services.web.x-autoscale: max is required: the most replicas the autoscaler may set']);
  expect(issueLines(() => convert('    x-autoscale: {max: 4}'))).toEqual([
    '4:18 services.web.x-autoscale: autoscaling needs a target: a cpu percent, a memory percent, or both',
  ]);
  expect(issueLines(() => convert('    x-autoscale: {max: 3, cpu: 50}', '    deploy:', '      replicas: 5'))).toEqual([
    '6:17 services.web.deploy.replicas: replicas 5 is outside the autoscale bounds 1 to 3',
  ]);
  expect(issueLines(() => convert('    x-autoscale: {max: 3, cpu: 50}', '    deploy:', '      mode: global'))).toEqual([
    '6:13 services.web.deploy.mode: autoscaling needs a replicated service (a global service runs one task per node)',
  ]);
  expect(issueLines(() => convert('    x-autoscale: {max: 3, memory: 50}'))).toEqual([
    '4:18 services.web.x-autoscale: an autoscale memory target is a percent of the memory reservation or limit: set one (--reserve-memory or --limit-memory)',
  ]);
});

test('before format 3.7 a service takes no x- key: the schema says so', () => {
  const lines = issueLines(() => convertStack(load(yaml('version: "3.6"', 'services:', '  web:', '    image: x', '    x-autoscale: {max: 3, cpu: 50}')), 'app'));
  expect(lines.join('\n')).toMatch(/x-autoscale/);
});
