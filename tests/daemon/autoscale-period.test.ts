import { autoscalePeriodFromEnv } from '../../lib/daemon/autoscale-period';

test('SWARM_AUTOSCALE_PERIOD shortens the autoscaler period; a bad value names the variable', () => {
  expect(autoscalePeriodFromEnv({})).toBe(15_000);
  expect(autoscalePeriodFromEnv({ SWARM_AUTOSCALE_PERIOD: '1s' })).toBe(1_000);
  expect(autoscalePeriodFromEnv({ SWARM_AUTOSCALE_PERIOD: '500ms' })).toBe(500);
  expect(() => autoscalePeriodFromEnv({ SWARM_AUTOSCALE_PERIOD: 'soon' })).toThrow(/SWARM_AUTOSCALE_PERIOD: invalid duration "soon"/);
  expect(() => autoscalePeriodFromEnv({ SWARM_AUTOSCALE_PERIOD: '1ms' })).toThrow(/too short/);
});
