// --autoscale-* on `service create` and `service update`: the policy stored,
// the replicas kept within it, and every bad value refused in one line.

import { applyServiceUpdate, buildServiceSpec, CreateOptions, UpdateOptions } from '../../../lib/cli/service-flags';
import { fakeContext } from './helpers';

const create = (o: CreateOptions) => buildServiceSpec({ name: 'web', ...o }, 'nginx:1', [], fakeContext());

describe('service create --autoscale-*', () => {
  test('a policy with docker-style durations and the defaults for what is not given', () => {
    const spec = create({ autoscaleMax: '5', autoscaleCpu: '70%' });
    expect(spec.autoscale).toEqual({ min: 1, max: 5, cpuPercent: 70, downDelayMs: 300_000, upDelayMs: 0 });
    const full = create({ autoscaleMin: '2', autoscaleMax: '8', autoscaleCpu: '50', autoscaleMemory: '80', autoscaleDownDelay: '1m30s', autoscaleUpDelay: '15s', reserveMemory: '64M' });
    expect(full.autoscale).toEqual({ min: 2, max: 8, cpuPercent: 50, memoryPercent: 80, downDelayMs: 90_000, upDelayMs: 15_000 });
  });

  test('without --replicas the service starts at the minimum; an explicit count outside the bounds is refused', () => {
    expect(create({ autoscaleMin: '3', autoscaleMax: '5', autoscaleCpu: '50' }).replicas).toBe(3);
    expect(create({ replicas: '4', autoscaleMin: '3', autoscaleMax: '5', autoscaleCpu: '50' }).replicas).toBe(4);
    expect(() => create({ replicas: '9', autoscaleMin: '3', autoscaleMax: '5', autoscaleCpu: '50' })).toThrow('replicas 9 is outside the autoscale bounds 3 to 5');
  });

  test.each<[CreateOptions, string | RegExp]>([
    [{ autoscaleCpu: '50' }, '--autoscale-max is required to turn autoscaling on'],
    [{ autoscaleMax: '5' }, /needs a target: --autoscale-cpu PERCENT, --autoscale-memory PERCENT, or both/],
    [{ autoscaleMax: '5', autoscaleCpu: '0' }, 'invalid argument "0" for "--autoscale-cpu" flag: must be a percent greater than 0, e.g. 70 or 70%'],
    [{ autoscaleMax: '5', autoscaleCpu: 'lots' }, /"lots" for "--autoscale-cpu"/],
    [{ autoscaleMax: 'x', autoscaleCpu: '50' }, 'invalid argument "x" for "--autoscale-max" flag: must be a non-negative integer'],
    [{ autoscaleMin: '0', autoscaleMax: '5', autoscaleCpu: '50' }, /autoscale min 0 must be an integer of at least 1/],
    [{ autoscaleMin: '6', autoscaleMax: '5', autoscaleCpu: '50' }, 'autoscale max 5 must be an integer of at least min (6)'],
    [{ autoscaleMax: '5', autoscaleMemory: '50' }, /percent of the memory reservation or limit: set one/],
    [{ autoscaleMax: '5', autoscaleCpu: '50', autoscaleDownDelay: '5' }, /"5" for "--autoscale-down-delay"/],
    [{ mode: 'global', autoscaleMax: '5', autoscaleCpu: '50' }, '--autoscale-* can only be used with replicated mode (this service is global)'],
  ])('refused: %j', (o, message) => {
    expect(() => create(o)).toThrow(message);
  });
});

describe('service update --autoscale-*', () => {
  const base = create({ replicas: '4', autoscaleMax: '6', autoscaleCpu: '50' });

  test('one flag changes one field; the replicas follow the bounds unless --replicas is given', () => {
    const next = applyServiceUpdate(base, { autoscaleMax: '3' } as UpdateOptions, fakeContext());
    expect(next.autoscale).toEqual({ ...base.autoscale, max: 3 });
    expect(next.replicas).toBe(3);
    expect(() => applyServiceUpdate(base, { autoscaleMax: '3', replicas: '4' } as UpdateOptions, fakeContext())).toThrow('replicas 4 is outside the autoscale bounds 1 to 3');
  });

  test('--autoscale-off removes the policy and keeps the replicas; alone only', () => {
    const off = applyServiceUpdate(base, { autoscaleOff: true } as UpdateOptions, fakeContext());
    expect(off.autoscale).toBeUndefined();
    expect(off.replicas).toBe(4);
    expect(() => applyServiceUpdate(base, { autoscaleOff: true, autoscaleMax: '9' } as UpdateOptions, fakeContext())).toThrow(
      '--autoscale-off cannot be combined with other --autoscale-* flags',
    );
  });

  test('other updates leave the policy and the replicas the autoscaler set alone', () => {
    const scaled = { ...base, replicas: 5 };
    const next = applyServiceUpdate(scaled, { image: 'nginx:2' } as UpdateOptions, fakeContext());
    expect(next.replicas).toBe(5);
    expect(next.autoscale).toEqual(base.autoscale);
  });
});
