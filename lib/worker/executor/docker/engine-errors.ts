// dockerode rejects with an Error carrying the HTTP status and the engine's
// JSON body; these read them without trusting their shape.

function field(e: unknown, key: string): unknown {
  return typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[key] : undefined;
}

export function statusCodeOf(e: unknown): number | undefined {
  const code = field(e, 'statusCode');
  return typeof code === 'number' ? code : undefined;
}

export function isNotFound(e: unknown): boolean {
  return statusCodeOf(e) === 404;
}

/** The engine's own words ("No such image: x"), without dockerode's "(HTTP code 404) ..." wrapping. */
export function engineMessage(e: unknown): string {
  const body = field(e, 'json');
  const fromBody = field(body, 'message');
  if (typeof fromBody === 'string' && fromBody !== '') return fromBody.trim();
  const message = field(e, 'message');
  if (typeof message === 'string' && message !== '') return message.trim();
  return String(e);
}

/** Runs `op`, treating the listed HTTP statuses (gone, already stopped, ...) as done. */
export async function ignoringStatus(statuses: readonly number[], op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch (e) {
    const code = statusCodeOf(e);
    if (code === undefined || !statuses.includes(code)) throw e;
  }
}
