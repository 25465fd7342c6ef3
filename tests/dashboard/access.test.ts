// The dashboard's gate, as pure functions: which daemon routes the page may
// reach, the token comparison, the Host/Origin rule and --listen parsing.

import { bearerToken, hostsFor, isLoopback, originAllowed, parseListen, relayKind, tokenMatches } from '../../lib/dashboard/access';

describe('relayKind: the allow-list', () => {
  test.each([
    ['GET', '/v1/info', 'relay'],
    ['GET', '/v1/nodes', 'relay'],
    ['POST', '/v1/nodes/m1/update', 'relay'],
    ['GET', '/v1/services/web', 'relay'],
    ['POST', '/v1/services/web/rollback', 'relay'],
    ['POST', '/v1/services/web/remove', 'relay'],
    ['GET', '/v1/tasks', 'relay'],
    ['GET', '/v1/events', 'stream'],
    ['GET', '/v1/logs', 'stream'],
  ])('%s %s is relayed (%s)', (method, path, kind) => {
    expect(relayKind(method, path)).toBe(kind);
  });

  test.each([
    ['POST', '/v1/stop'],
    ['POST', '/v1/leave'],
    ['GET', '/v1/join-token/manager'],
    ['POST', '/v1/nodes/m1/remove'],
    ['POST', '/v1/nodes/m1/demote'],
    ['POST', '/v1/services'],
    ['POST', '/v1/stacks/app/remove'],
    // Right path, wrong method.
    ['POST', '/v1/info'],
    ['GET', '/v1/services/web/remove'],
    // Paths that would reach another route once normalized or decoded.
    ['POST', '/v1/services/../stop'],
    ['POST', '/v1/services/%2e%2e/remove'],
    ['POST', '/v1/nodes/a%2Fb/update'],
    ['GET', '/v1//info'],
    ['GET', '/v1/services/%E0%A4%A'],
    ['GET', '/v2/info'],
  ])('%s %s is refused', (method, path) => {
    expect(relayKind(method, path)).toBeUndefined();
  });
});

describe('tokenMatches', () => {
  test('only the exact token passes', () => {
    expect(tokenMatches('abc123', 'abc123')).toBe(true);
    expect(tokenMatches('abc123', 'abc124')).toBe(false);
    expect(tokenMatches('abc123', 'abc1234')).toBe(false);
    expect(tokenMatches('abc123', '')).toBe(false);
    expect(tokenMatches('abc123', undefined)).toBe(false);
    // No token configured never means "anything goes".
    expect(tokenMatches('', '')).toBe(false);
  });

  test('bearerToken reads only a well-formed Authorization header', () => {
    expect(bearerToken('Bearer abc-_1')).toBe('abc-_1');
    expect(bearerToken('bearer abc')).toBeUndefined();
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer abc def')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('originAllowed: DNS rebinding and cross-site requests', () => {
  const hosts = hostsFor('127.0.0.1', 8080, true);

  test('the dashboard itself, by any loopback name, is allowed', () => {
    expect(originAllowed(hosts, '127.0.0.1:8080', undefined).ok).toBe(true);
    expect(originAllowed(hosts, 'localhost:8080', 'http://localhost:8080').ok).toBe(true);
    expect(originAllowed(hosts, 'LOCALHOST:8080', undefined).ok).toBe(true);
  });

  test('a rebound name, another port or a missing Host is refused', () => {
    expect(originAllowed(hosts, 'attacker.example:8080', undefined)).toEqual({ ok: false, why: expect.stringContaining('attacker.example') });
    expect(originAllowed(hosts, '127.0.0.1:8081', undefined).ok).toBe(false);
    expect(originAllowed(hosts, undefined, undefined).ok).toBe(false);
  });

  test("another site's page is refused even with the right Host", () => {
    expect(originAllowed(hosts, '127.0.0.1:8080', 'http://attacker.example').ok).toBe(false);
    expect(originAllowed(hosts, '127.0.0.1:8080', 'null').ok).toBe(false);
  });

  test('a non-loopback dashboard answers only to its own address', () => {
    const h = hostsFor('10.0.0.5', 8443, false);
    expect(originAllowed(h, '10.0.0.5:8443', 'https://10.0.0.5:8443').ok).toBe(true);
    expect(originAllowed(h, 'localhost:8443', undefined).ok).toBe(false);
  });
});

describe('parseListen and isLoopback', () => {
  test('addresses', () => {
    expect(parseListen('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen(':9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseListen('0.0.0.0:443')).toEqual({ host: '0.0.0.0', port: 443 });
    for (const bad of ['8080', '127.0.0.1', 'host:99999', '::1:80', '']) expect(() => parseListen(bad)).toThrow(/--listen .*HOST:PORT/);
  });

  test('loopback', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com']) expect(isLoopback(h)).toBe(false);
  });
});
