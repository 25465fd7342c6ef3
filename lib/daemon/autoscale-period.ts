// The autoscaler's period (15 s, Kubernetes' HPA sync period) can be
// shortened for tests and benchmarks through the daemon's environment,
// SWARM_AUTOSCALE_PERIOD, a Go duration ("1s", "500ms"). It also sets the
// period of the scale-up rate limit (at most max(2x, +4) per period).

import { parseDuration } from '../util/go-duration';
import { DEFAULT_AUTOSCALE_PERIOD_MS } from '../manager/autoscale/plan';

export const AUTOSCALE_PERIOD_ENV = 'SWARM_AUTOSCALE_PERIOD';

/** The period from the environment; a bad value is refused with the variable named, not silently replaced. */
export function autoscalePeriodFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[AUTOSCALE_PERIOD_ENV];
  if (text === undefined || text === '') return DEFAULT_AUTOSCALE_PERIOD_MS;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (e) {
    throw new Error(`${AUTOSCALE_PERIOD_ENV}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (ms < 100) throw new Error(`${AUTOSCALE_PERIOD_ENV}: "${text}" is too short: use at least 100ms`);
  return ms;
}
