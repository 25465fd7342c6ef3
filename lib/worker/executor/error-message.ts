/**
 * The message of anything thrown. Checked by shape, not `instanceof Error`: errors
 * from Node's internals may come from another realm (as under jest).
 */
export function errorMessage(e: unknown): string {
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  return String(e);
}
