// --health-* and --no-healthcheck, with docker's update rules: only the
// fields given change; --no-healthcheck replaces the check with ["NONE"] and
// may not be combined with any --health-* flag; a later --health-* flag on a
// service whose check was disabled starts from an empty test again, which
// means "the image's own test with these timings".

import type { HealthCheck } from '../../api/service-types';
import type { CommonServiceOptions } from './options';
import { parseCount, parseFlagDuration } from './numbers';
import { flagError } from './errors';

function healthDuration(flag: string, value: string): number {
  const ms = parseFlagDuration(flag, value);
  // swarmkit refuses anything between 0 and 1ms: the engine cannot schedule it.
  if (ms !== 0 && ms < 1) throw flagError(flag, value, 'must be 0 or at least 1ms');
  return ms;
}

/** The container's healthcheck after the flags; `current` is left alone. */
export function applyHealthFlags(current: HealthCheck | undefined, opts: CommonServiceOptions): HealthCheck | undefined {
  const timings =
    opts.healthInterval !== undefined ||
    opts.healthTimeout !== undefined ||
    opts.healthRetries !== undefined ||
    opts.healthStartPeriod !== undefined;
  const anyHealthFlag = timings || opts.healthCmd !== undefined;
  if (opts.healthcheck === false) {
    if (anyHealthFlag) throw new Error('--no-healthcheck conflicts with --health-* options');
    return { test: ['NONE'] };
  }
  if (!anyHealthFlag) return current;

  const next: HealthCheck = current ? { ...current, test: [...current.test] } : { test: [] };
  if (next.test[0] === 'NONE') next.test = [];
  if (opts.healthInterval !== undefined) next.intervalMs = healthDuration('health-interval', opts.healthInterval);
  if (opts.healthTimeout !== undefined) next.timeoutMs = healthDuration('health-timeout', opts.healthTimeout);
  if (opts.healthStartPeriod !== undefined) {
    next.startPeriodMs = healthDuration('health-start-period', opts.healthStartPeriod);
  }
  if (opts.healthRetries !== undefined) next.retries = parseCount('health-retries', opts.healthRetries);
  // An empty --health-cmd drops the command and falls back to the image's test.
  if (opts.healthCmd !== undefined) next.test = opts.healthCmd === '' ? [] : ['CMD-SHELL', opts.healthCmd];
  return next;
}
