import {
  JoinTokenError,
  createRootCA,
  generateJoinToken,
  generateJoinTokens,
  parseJoinToken,
  roleForJoinToken,
  tokenMatchesCA,
} from '../../lib/ca';

const DIGEST = '0'.repeat(10) + 'abcdefghijklmnopqrstuvwxyz0123456789abcd';
const SECRET = '0123456789abcdefghijklmno';
const TOKEN = `SWMTKN-1-${DIGEST}-${SECRET}`;

function errorOf(token: string): JoinTokenError {
  try {
    parseJoinToken(token);
  } catch (err) {
    expect(err).toBeInstanceOf(JoinTokenError);
    return err as JoinTokenError;
  }
  throw new Error(`expected ${token} to be refused`);
}

describe('join tokens', () => {
  test('have swarmkit v1 shape and round-trip', () => {
    const token = generateJoinToken(DIGEST);
    expect(token).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
    const parsed = parseJoinToken(token);
    expect(parsed.caDigest).toBe(DIGEST);
    expect(`SWMTKN-1-${parsed.caDigest}-${parsed.secret}`).toBe(token);
  });

  test('surrounding whitespace from a paste is tolerated', () => {
    expect(parseJoinToken(`  ${TOKEN}\n`)).toEqual({ caDigest: DIGEST, secret: SECRET });
  });

  test('rotation gives a different secret for the same CA; worker and manager tokens differ', () => {
    const a = generateJoinToken(DIGEST);
    const b = generateJoinToken(DIGEST);
    expect(a).not.toBe(b);
    expect(parseJoinToken(a).caDigest).toBe(parseJoinToken(b).caDigest);
    const both = generateJoinTokens(DIGEST);
    expect(both.worker).not.toBe(both.manager);
  });

  test('secrets look uniformly random (no fixed prefix beyond the padding)', () => {
    const firsts = new Set<string>();
    for (let i = 0; i < 200; i++) firsts.add(parseJoinToken(generateJoinToken(DIGEST)).secret.slice(0, 2));
    // 2^128 < 36^25 so the first character is small, but the first two still vary a lot.
    expect(firsts.size).toBeGreaterThan(50);
  });

  test.each([
    ['', /empty/],
    ['hello', /must start with "SWMTKN-"/],
    ['SWMTKN', /unsupported version \(expected "SWMTKN-1-"\)/],
    [`SWMTKN-2-${DIGEST}-${SECRET}`, /unsupported version 2 /],
    [`SWMTKN-1-${DIGEST}`, /expected 4 dash-separated parts .* found 3/],
    [`SWMTKN-1-${DIGEST}-${SECRET}-x`, /expected 4 dash-separated parts .* found 5/],
    [`SWMTKN-1-${DIGEST.slice(1)}-${SECRET}`, /CA digest \(3rd part\) must be 50 characters .* found 49 characters$/],
    [`SWMTKN-1-${DIGEST.toUpperCase()}-${SECRET}`, /CA digest \(3rd part\).*some of them outside 0-9 a-z/],
    [`SWMTKN-1-${'z'.repeat(50)}-${SECRET}`, /larger than a SHA-256 digest/],
    [`SWMTKN-1-${DIGEST}-${SECRET}x`, /secret \(4th part\) must be 25 characters .* found 26 characters$/],
    [`SWMTKN-1-${DIGEST}-${SECRET.slice(0, 24)}!`, /secret \(4th part\).*some of them outside 0-9 a-z/],
    [`SWMTKN-1-${DIGEST}-`, /secret \(4th part\).* found 0 characters$/],
  ])('malformed token %j is refused with a clear message', (token, message) => {
    expect(errorOf(token).message).toMatch(message);
  });

  test('error messages never contain the secret', () => {
    const secret = 'secretsecretsecretsecretse';
    for (const token of [`SWMTKN-1-${DIGEST}-${secret}`, `SWMTKN-1-${DIGEST.slice(2)}-${secret}`, `SWMTKN-3-${DIGEST}-${secret}`]) {
      expect(errorOf(token).message).not.toContain('secretsecret');
    }
    expect(errorOf(`SWMTKN-${SECRET}`).message).not.toContain(SECRET);
  });

  test('generateJoinToken refuses a digest of the wrong shape', () => {
    expect(() => generateJoinToken('abc')).toThrow(JoinTokenError);
  });

  test('tokenMatchesCA: true for the CA it was made from, false for another', async () => {
    const ca = await createRootCA({ clusterId: 'c' });
    const other = await createRootCA({ clusterId: 'c' });
    const token = generateJoinToken(ca.digest);
    expect(tokenMatchesCA(token, ca.certPem)).toBe(true);
    expect(tokenMatchesCA(parseJoinToken(token), ca.certPem)).toBe(true);
    expect(tokenMatchesCA(token, other.certPem)).toBe(false);
  });

  test('roleForJoinToken: the matching role, null for a rotated or foreign token', () => {
    const current = generateJoinTokens(DIGEST);
    expect(roleForJoinToken(current.worker, current)).toBe('worker');
    expect(roleForJoinToken(current.manager, current)).toBe('manager');
    const rotated = { ...current, worker: generateJoinToken(DIGEST) };
    expect(roleForJoinToken(current.worker, rotated)).toBeNull();
    expect(roleForJoinToken(rotated.worker, rotated)).toBe('worker');
    // same secret, another cluster's CA
    const foreign = `SWMTKN-1-${'1'.repeat(50)}-${parseJoinToken(current.worker).secret}`;
    expect(roleForJoinToken(foreign, current)).toBeNull();
    expect(() => roleForJoinToken('SWMTKN-1-x-y', current)).toThrow(JoinTokenError);
  });
});
