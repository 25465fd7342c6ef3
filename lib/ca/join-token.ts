// Join tokens in swarmkit's v1 shape: SWMTKN-1-<CA digest>-<secret>.

import { randomBytes, timingSafeEqual } from 'crypto';
import { CA_DIGEST_CHARS, base36, caDigest } from './digest';
import { JoinTokenError } from './errors';
import { NodeRole } from './identity';

const PREFIX = 'SWMTKN';
const VERSION = '1';
/** 128 bits of entropy, like swarmkit's generatedSecretEntropyBytes. */
const SECRET_BYTES = 16;
/** ceil(log36(2^128)). */
export const SECRET_CHARS = 25;
const MAX_DIGEST = 1n << 256n;
const BASE36 = /^[0-9a-z]+$/;

export interface ParsedJoinToken {
  /** Base-36 SHA-256 of the CA certificate DER (caDigest). */
  caDigest: string;
  secret: string;
}

/** One token per role; rotating one replaces it with generateJoinToken. */
export interface JoinTokens {
  worker: string;
  manager: string;
}

export function generateJoinToken(caDigestText: string): string {
  checkDigest(caDigestText);
  const secret = base36(randomBytes(SECRET_BYTES), SECRET_CHARS);
  return `${PREFIX}-${VERSION}-${caDigestText}-${secret}`;
}

export function generateJoinTokens(caDigestText: string): JoinTokens {
  return { worker: generateJoinToken(caDigestText), manager: generateJoinToken(caDigestText) };
}

/**
 * Checks the shape and splits the token. Errors say which part is wrong and
 * never repeat the secret, since they end up in logs and terminals.
 */
export function parseJoinToken(token: string): ParsedJoinToken {
  if (typeof token !== 'string') throw new JoinTokenError('invalid join token: not a string');
  const t = token.trim(); // a token pasted from a terminal often carries a newline
  if (t === '') throw new JoinTokenError('invalid join token: empty');
  const parts = t.split('-');
  if (parts[0] !== PREFIX) throw new JoinTokenError(`invalid join token: must start with "${PREFIX}-"`);
  if (parts.length < 2 || parts[1] !== VERSION) {
    const v = parts[1] ?? '';
    const shown = /^[0-9]{1,3}$/.test(v) ? ` ${v}` : '';
    throw new JoinTokenError(`invalid join token: unsupported version${shown} (expected "${PREFIX}-${VERSION}-")`);
  }
  if (parts.length !== 4) {
    throw new JoinTokenError(
      `invalid join token: expected 4 dash-separated parts (${PREFIX}-${VERSION}-<CA digest>-<secret>), found ${parts.length}`,
    );
  }
  const [, , digest, secret] = parts;
  checkDigest(digest);
  if (secret.length !== SECRET_CHARS || !BASE36.test(secret)) {
    throw new JoinTokenError(
      `invalid join token: the secret (4th part) must be ${SECRET_CHARS} characters of 0-9 and a-z; ${describe(secret)}`,
    );
  }
  return { caDigest: digest, secret };
}

function checkDigest(digest: string): void {
  if (digest.length !== CA_DIGEST_CHARS || !BASE36.test(digest)) {
    throw new JoinTokenError(
      `invalid join token: the CA digest (3rd part) must be ${CA_DIGEST_CHARS} characters of 0-9 and a-z; ${describe(digest)}`,
    );
  }
  if (parseBase36(digest) >= MAX_DIGEST) {
    throw new JoinTokenError('invalid join token: the CA digest (3rd part) is larger than a SHA-256 digest');
  }
}

// Length and character class only: the value itself may be secret.
function describe(part: string): string {
  const others = part !== '' && !BASE36.test(part) ? ', some of them outside 0-9 a-z' : '';
  return `found ${part.length} characters${others}`;
}

function parseBase36(s: string): bigint {
  let n = 0n;
  for (const c of s) n = n * 36n + BigInt(parseInt(c, 36));
  return n;
}

/**
 * Whether the token was made for this CA certificate. A joining node calls this
 * on the CA certificate it downloaded, before trusting it for anything.
 */
export function tokenMatchesCA(token: string | ParsedJoinToken, caCertPem: string): boolean {
  const parsed = typeof token === 'string' ? parseJoinToken(token) : token;
  return equalText(parsed.caDigest, caDigest(caCertPem));
}

/**
 * Which role a presented token grants, or null when it is well formed but not
 * one of the current tokens (wrong cluster, or rotated away). Throws
 * JoinTokenError when malformed. Both tokens are compared in full, in constant
 * time, so timing does not reveal how much of a secret was right.
 */
export function roleForJoinToken(presented: string, current: JoinTokens): NodeRole | null {
  const p = parseJoinToken(presented);
  let role: NodeRole | null = null;
  for (const r of ['worker', 'manager'] as const) {
    const c = parseJoinToken(current[r]);
    const digestOk = equalText(p.caDigest, c.caDigest);
    const secretOk = equalText(p.secret, c.secret);
    if (digestOk && secretOk) role = r;
  }
  return role;
}

/** Constant-time equality of two shape-checked strings (equal lengths by construction). */
function equalText(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
