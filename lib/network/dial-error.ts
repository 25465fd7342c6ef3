// Errors from dialing a task, shaped like Node's own socket errors (a `code`
// such as 'ECONNREFUSED') so that a direct connection and one through the mesh
// fail the same way and the proxy treats them alike.

/** The codes a dial fails with; the proxy tries the next backend on any of them. */
export type DialErrorCode = 'ECONNREFUSED' | 'EHOSTUNREACH' | 'ETIMEDOUT' | 'EACCES' | 'EINVAL' | 'EPROTO';

export interface DialError extends Error {
  code: string;
}

export function dialError(code: DialErrorCode, message: string, cause?: unknown): DialError {
  const err = new Error(message, cause === undefined ? undefined : { cause }) as DialError;
  err.code = code;
  return err;
}

/** The `code` of a Node or dial error, or undefined. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
