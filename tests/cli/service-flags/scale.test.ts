import { parseScaleArg } from '../../../lib/cli/service-flags';

describe('service scale arguments', () => {
  test('SERVICE=REPLICAS', () => {
    expect(parseScaleArg('web=5')).toEqual({ service: 'web', replicas: 5 });
    expect(parseScaleArg('api=0')).toEqual({ service: 'api', replicas: 0 });
    // Only the first = splits, as docker's strings.Cut.
    expect(() => parseScaleArg('a=b=1')).toThrow('a: invalid replicas value b=1');
  });
  test.each(['web', 'web=', '=5', ''])("docker's invalid scale specifier for %p", (arg) => {
    expect(() => parseScaleArg(arg)).toThrow(`invalid scale specifier '${arg}'`);
  });
  test.each(['-1', '1.5', 'many'])('replicas %p must be a non-negative integer', (v) => {
    expect(() => parseScaleArg(`web=${v}`)).toThrow(
      `web: invalid replicas value ${v}: replicas must be a non-negative integer`,
    );
  });
});
