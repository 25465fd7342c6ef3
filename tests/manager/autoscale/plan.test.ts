// The autoscaler's planner on the examples of Kubernetes' HPA documentation
// and replica calculator tests, then as properties over random loads.

import fc from 'fast-check';
import type { AutoscalePolicy } from '../../../lib/api/service-types';
import { planAutoscale, ScaledTask } from '../../../lib/manager/autoscale/plan';
import { busy, PERIOD, policy, silent, simulate, starting, T0 } from './fixtures';

const decide = (p: AutoscalePolicy, replicas: number, tasks: ScaledTask[]) => planAutoscale({ policy: p, replicas, tasks, now: T0 });

describe('one decision, on the HPA documentation examples', () => {
  test('twice the target doubles the replicas, half of it halves them', () => {
    expect(decide(policy(), 2, [busy(100), busy(100)]).decision).toMatchObject({ from: 2, to: 4, metric: 'cpu', value: 100, target: 50 });
    expect(decide(policy(), 4, [busy(25), busy(25), busy(25), busy(25)]).decision).toMatchObject({ from: 4, to: 2, value: 25 });
  });

  test('within 10 % of the target nothing changes', () => {
    expect(decide(policy(), 3, [busy(54), busy(54), busy(54)]).decision).toBeUndefined();
    expect(decide(policy(), 3, [busy(46), busy(46), busy(46)]).decision).toBeUndefined();
    expect(decide(policy(), 3, [busy(56), busy(56), busy(56)]).decision).toMatchObject({ to: 4 });
  });

  test('the target is a share of the CPU reservation when there is one', () => {
    // 0.5 CPU reserved: 40 % of a core is 80 % of the reservation, target 40 % -> twice.
    const tasks = [busy(40, { reserveCpus: 0.5 }), busy(40, { reserveCpus: 0.5 })];
    expect(decide(policy({ cpuPercent: 40 }), 2, tasks).decision).toMatchObject({ to: 4, value: 80 });
  });

  test('memory is measured against the reservation, else the limit', () => {
    const mib = 2 ** 20;
    const p = policy({ cpuPercent: undefined, memoryPercent: 50 });
    expect(decide(p, 2, [busy(0, { memBytes: 90 * mib, reserveMem: 100 * mib }), busy(0, { memBytes: 90 * mib, reserveMem: 100 * mib })]).decision).toMatchObject({ metric: 'memory', to: 4, value: 90 });
    expect(decide(p, 2, [busy(0, { memBytes: 90 * mib, limitMem: 200 * mib }), busy(0, { memBytes: 90 * mib, limitMem: 200 * mib })]).decision).toBeUndefined();
    const out = decide(p, 2, [busy(0, { memBytes: 90 * mib }), busy(0, { memBytes: 90 * mib })]);
    expect(out.decision).toBeUndefined();
    expect(out.note).toMatch(/no memory reservation or limit/);
  });

  test('several metrics: the one asking for the most replicas decides', () => {
    const mib = 2 ** 20;
    const p = policy({ cpuPercent: 50, memoryPercent: 50 });
    const tasks = [busy(60, { memBytes: 150 * mib, reserveMem: 100 * mib }), busy(60, { memBytes: 150 * mib, reserveMem: 100 * mib })];
    expect(decide(p, 2, tasks).decision).toMatchObject({ metric: 'memory', to: 6, value: 150 });
  });

  test('a scale-up counts tasks still starting as idle (replica calculator: unready pods at 0 %)', () => {
    // Kubernetes' TestReplicaCalcScaleUpUnreadyLessScale: 3 pods, one unready, 500m and 700m of 1 CPU, target 30 %: 4.
    const tasks = [starting(), busy(50), busy(70)];
    const d = decide(policy({ cpuPercent: 30 }), 3, tasks).decision;
    expect(d).toMatchObject({ to: 4, value: 60 });
    expect(d?.reason).toMatch(/1 starting/);
  });

  test('tasks still starting do not hold back a scale-down of the ones measured', () => {
    expect(decide(policy(), 4, [starting(), starting(), busy(10), busy(10)]).decision).toMatchObject({ to: 1 });
  });

  test('tasks without figures count as idle on a scale-up and as full on a scale-down', () => {
    // Up: 90 % on 3, one silent at 0: 67.5 % over 4 -> ceil(4 × 1.35) = 6 (not ceil(3 × 1.8) = 6 by luck: 8 ready tasks below).
    expect(decide(policy(), 4, [busy(90), busy(90), busy(90), silent()]).decision).toMatchObject({ to: 6 });
    // Down: 10 % on 3, one silent at 100 %: 32.5 % over 4 -> ceil(4 × 0.65) = 3, not ceil(3 × 0.2) = 1.
    const d = decide(policy(), 4, [busy(10), busy(10), busy(10), silent()]).decision;
    expect(d).toMatchObject({ to: 3 });
    expect(d?.reason).toMatch(/1 without figures/);
  });

  test('when filling in the tasks without figures turns the direction round, nothing changes', () => {
    // 40 % measured would scale down; the silent task at 100 % makes it 70 %, a scale-up: stay.
    expect(decide(policy(), 2, [busy(40), silent()]).decision).toBeUndefined();
  });

  test('no figures at all: no decision, and the note says why', () => {
    const out = decide(policy(), 2, [silent(), starting()]);
    expect(out.decision).toBeUndefined();
    expect(out.note).toMatch(/no cpu figures yet from its 2 tasks/);
  });

  test('a metric that cannot be read blocks a scale-down, not a scale-up', () => {
    const p = policy({ cpuPercent: 50, memoryPercent: 50 });
    expect(decide(p, 4, [busy(10), busy(10), busy(10), busy(10)]).note).toMatch(/not scaling down while memory cannot be read/);
    expect(decide(p, 2, [busy(100), busy(100)]).decision).toMatchObject({ to: 4, metric: 'cpu' });
  });

  test('replicas outside the bounds go to the nearest bound, whatever the load', () => {
    expect(decide(policy({ min: 2, max: 5 }), 8, [busy(100)]).decision).toMatchObject({ from: 8, to: 5, reason: expect.stringMatching(/above the maximum 5/) });
    expect(decide(policy({ min: 2, max: 5 }), 1, [busy(0)]).decision).toMatchObject({ from: 1, to: 2, reason: expect.stringMatching(/below the minimum 2/) });
  });

  test('a service scaled to 0 is left alone, as the HPA leaves a target at 0', () => {
    expect(decide(policy(), 0, []).decision).toBeUndefined();
  });

  test('scale-up is limited to max(double, +4) per 15 s, and capped by max', () => {
    const many = Array.from({ length: 2 }, () => busy(1000));
    expect(decide(policy({ max: 100 }), 2, many).decision).toMatchObject({ to: 6, reason: expect.stringMatching(/40 wanted, at most 6 within 15s/) });
    const ten = Array.from({ length: 10 }, () => busy(1000));
    expect(decide(policy({ max: 100 }), 10, ten).decision).toMatchObject({ to: 20 });
    expect(decide(policy({ max: 7 }), 2, many).decision).toMatchObject({ to: 6 });
    expect(decide(policy({ max: 5 }), 2, many).decision).toMatchObject({ to: 5, reason: expect.stringMatching(/capped at the maximum 5/) });
  });

  test('the scale-up limit counts what was added earlier in the same period', () => {
    const p = policy({ max: 100 });
    const first = planAutoscale({ policy: p, replicas: 2, tasks: [busy(1000), busy(1000)], now: T0 });
    expect(first.decision?.to).toBe(6);
    first.history.changes.push({ at: T0, delta: 4 });
    // 5 s later, still within the period that started at 2: 6 is already the limit.
    const again = planAutoscale({ policy: p, replicas: 6, tasks: Array.from({ length: 6 }, () => busy(1000)), history: first.history, now: T0 + 5_000 });
    expect(again.decision).toBeUndefined();
    const later = planAutoscale({ policy: p, replicas: 6, tasks: Array.from({ length: 6 }, () => busy(1000)), history: again.history, now: T0 + PERIOD + 1 });
    expect(later.decision?.to).toBe(12);
  });
});

describe('stabilization windows', () => {
  test('scale-down goes to the highest recommendation of the down-delay window', () => {
    const p = policy({ downDelayMs: 5 * 60_000 });
    // First look: the current replicas are recorded, so nothing goes down for a whole window.
    let out = planAutoscale({ policy: p, replicas: 6, tasks: Array.from({ length: 6 }, () => busy(10)), now: T0 });
    expect(out.decision).toBeUndefined();
    for (let t = T0 + PERIOD; t < T0 + 5 * 60_000; t += PERIOD) {
      out = planAutoscale({ policy: p, replicas: 6, tasks: Array.from({ length: 6 }, () => busy(10)), history: out.history, now: t });
      expect(out.decision).toBeUndefined();
    }
    out = planAutoscale({ policy: p, replicas: 6, tasks: Array.from({ length: 6 }, () => busy(10)), history: out.history, now: T0 + 5 * 60_000 });
    expect(out.decision).toMatchObject({ from: 6, to: 2 });
  });

  test('a busy moment within the window holds the replicas up', () => {
    const p = policy({ downDelayMs: 60_000 });
    const tasks = (n: number, cpu: number) => Array.from({ length: n }, () => busy(cpu));
    let out = planAutoscale({ policy: p, replicas: 4, tasks: tasks(4, 50), now: T0 - 120_000 });
    out = planAutoscale({ policy: p, replicas: 4, tasks: tasks(4, 60), history: out.history, now: T0 - 30_000 });
    expect(out.decision).toMatchObject({ to: 5 });
    out = planAutoscale({ policy: p, replicas: 5, tasks: tasks(5, 10), history: out.history, now: T0 });
    // The 5 of 30 s ago is the highest recommendation within the minute: stay.
    expect(out.decision).toBeUndefined();
    out = planAutoscale({ policy: p, replicas: 5, tasks: tasks(5, 10), history: out.history, now: T0 + 30_001 });
    expect(out.decision).toMatchObject({ to: 1, reason: expect.stringMatching(/1 wanted/) });
  });

  test('an up delay scales up only to what the whole window asked for', () => {
    const p = policy({ upDelayMs: 30_000, max: 20 });
    let out = planAutoscale({ policy: p, replicas: 2, tasks: [busy(100), busy(100)], now: T0 });
    expect(out.decision).toBeUndefined();
    out = planAutoscale({ policy: p, replicas: 2, tasks: [busy(150), busy(150)], history: out.history, now: T0 + PERIOD });
    expect(out.decision).toBeUndefined();
    out = planAutoscale({ policy: p, replicas: 2, tasks: [busy(150), busy(150)], history: out.history, now: T0 + 2 * PERIOD + 1 });
    // The recommendations of T0 (2 recorded on the first look, 4) have left the window; 6 and 6 remain.
    expect(out.decision).toMatchObject({ to: 6, reason: expect.stringMatching(/6 wanted/) });
  });
});

// ---------------------------------------------------------------- properties

const arbPolicy = fc
  .record({
    min: fc.integer({ min: 1, max: 5 }),
    span: fc.integer({ min: 0, max: 15 }),
    cpuPercent: fc.integer({ min: 10, max: 200 }),
    downPeriods: fc.integer({ min: 0, max: 20 }),
    upPeriods: fc.integer({ min: 0, max: 4 }),
  })
  .map(
    (r): AutoscalePolicy => ({
      min: r.min,
      max: r.min + r.span,
      cpuPercent: r.cpuPercent,
      downDelayMs: r.downPeriods * PERIOD,
      upDelayMs: r.upPeriods * PERIOD,
    }),
  );

const arbTask: fc.Arbitrary<ScaledTask> = fc
  .record({
    state: fc.constantFrom('measured', 'measured', 'measured', 'silent', 'starting'),
    cpu: fc.double({ min: 0, max: 800, noNaN: true }),
    reserve: fc.constantFrom(0, 0.25, 1, 2),
  })
  .map((r) => {
    const t = busy(r.cpu, { reserveCpus: r.reserve });
    if (r.state === 'silent') return { ...silent(), resources: t.resources };
    if (r.state === 'starting') return { ...starting(), resources: t.resources };
    return t;
  });

describe('properties', () => {
  test('a decision never leaves [min, max], whatever the tasks report and the replicas were', () => {
    fc.assert(
      fc.property(arbPolicy, fc.integer({ min: 1, max: 40 }), fc.array(arbTask, { maxLength: 25 }), (p, replicas, tasks) => {
        const d = planAutoscale({ policy: p, replicas, tasks, now: T0 }).decision;
        if (d) {
          expect(d.to).toBeGreaterThanOrEqual(p.min);
          expect(d.to).toBeLessThanOrEqual(p.max);
          expect(d.to).not.toBe(replicas);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('under a constant load replicas move one way only and settle (no flapping)', () => {
    fc.assert(
      fc.property(arbPolicy, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3 }), (p, start, load, startPeriods) => {
        const initial = Math.min(Math.max(start, p.min), p.max);
        const { steps, replicas } = simulate(p, initial, () => load, 80, startPeriods);
        const directions = new Set(steps.map((s) => Math.sign(s.to - s.from)));
        expect(directions.size).toBeLessThanOrEqual(1);
        // Settled: the last quarter of the run holds one count.
        expect(new Set(replicas.slice(60)).size).toBe(1);
      }),
      { numRuns: 500 },
    );
  });

  test('a scale-down never comes sooner than the down delay after a scale-up or a first look', () => {
    fc.assert(
      fc.property(arbPolicy, fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 60, maxLength: 60 }), (p, start, loads) => {
        const initial = Math.min(Math.max(start, p.min), p.max);
        const { steps } = simulate(p, initial, (i) => loads[i], 60, 1);
        for (const down of steps.filter((s) => s.to < s.from)) {
          expect(down.at - T0).toBeGreaterThanOrEqual(p.downDelayMs);
          for (const up of steps.filter((s) => s.to > s.from && s.at < down.at && down.at - s.at < p.downDelayMs)) {
            expect(down.to).toBeGreaterThanOrEqual(up.to);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  test('a load that needs K replicas gets them without overshoot; up to 5 at the first decision', () => {
    fc.assert(
      // Up to 10: beyond that, K - 1 tasks are within the 10 % tolerance of the load of K.
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 2 }), (k, startPeriods) => {
        const p = policy({ max: 20, cpuPercent: 50, downDelayMs: 5 * 60_000 });
        const { replicas } = simulate(p, 1, () => k * 50, 20, startPeriods);
        if (k <= 5) expect(replicas[0]).toBe(k);
        // Each step waits for the new tasks' figures: 1 -> 5 -> 10 at most.
        expect(replicas.slice(3 * (startPeriods + 2))).toEqual(Array(20 - 3 * (startPeriods + 2)).fill(k));
        expect(Math.max(...replicas)).toBeLessThanOrEqual(k);
      }),
    );
  });
});
