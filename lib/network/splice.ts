// Joins two byte streams (a client socket and its way to the task: a socket or
// a mesh stream) both ways, as a TCP proxy must: backpressure from pipe(), a
// FIN passed on as end() while the other direction keeps flowing (both sides
// need allowHalfOpen), and an abort on one side reset on the other, so neither
// end is left waiting on a connection that is gone.

import { Socket } from 'net';
import type { Duplex } from 'stream';
import { TLSSocket } from 'tls';

export function splice(a: Duplex, b: Duplex): void {
  // Cut off before we got here (a mesh stream whose session died between its
  // answer and now): its 'aborted' and 'close' are gone, so they are checked.
  if (cutOff(a) || cutOff(b)) {
    abort(a);
    abort(b);
    return;
  }
  // Errors always end in 'close', which decides what the other side sees.
  a.on('error', ignore);
  b.on('error', ignore);
  batchWrites(a, b);
  batchWrites(b, a);
  a.pipe(b);
  b.pipe(a);
  // An HTTP/2 stream cut off with its session (the far node went away)
  // says 'aborted' and then 'end': the reset must go out before pipe() turns
  // that 'end' into a FIN, which would pass a cut-off answer for a whole one.
  a.once('aborted', () => abort(b));
  b.once('aborted', () => abort(a));
  a.once('close', () => {
    if (!finished(a)) abort(b);
  });
  b.once('close', () => {
    if (!finished(b)) abort(a);
  });
}

/**
 * Collects what `src` delivers within one turn of the event loop into one
 * write on `dst`. An HTTP/2 stream hands its data over in pieces of a TLS
 * record (16 KiB) or less, several per socket read; written one by one to a
 * socket that is a write() system call each, the main cost of the mesh's bulk
 * path. Must be registered before pipe()'s own 'data' listener, so the cork is
 * on before pipe writes the first chunk.
 */
function batchWrites(src: Duplex, dst: Duplex): void {
  // A TCP socket reads 64 KiB at a time already; corking behind it only costs.
  if (isTcp(src)) return;
  src.on('data', () => {
    if (dst.writableCorked > 0 || dst.destroyed) return;
    dst.cork();
    process.nextTick(uncork, dst);
  });
}

function uncork(d: Duplex): void {
  d.uncork();
}

/** Ends a stream abruptly: an RST on a TCP socket, RST_STREAM on an HTTP/2 stream. */
export function abort(d: Duplex): void {
  if (d.destroyed) return;
  // resetAndDestroy is for plain TCP handles; a TLS socket throws on it.
  if (isTcp(d)) d.resetAndDestroy();
  // With an error an HTTP/2 stream sends RST_STREAM alone; destroy() or
  // close() would first send END_STREAM, which the far end takes for a FIN.
  else d.destroy(new Error('the other side of the connection was reset'));
}

function isTcp(d: Duplex): d is Socket {
  return d instanceof Socket && !(d instanceof TLSSocket);
}

function cutOff(d: Duplex): boolean {
  return d.destroyed || (d as { aborted?: boolean }).aborted === true;
}

/** Closed after a clean end both ways, as opposed to reset or destroyed midway. */
function finished(d: Duplex): boolean {
  // An HTTP/2 stream may see END_STREAM and then RST_STREAM: the code tells.
  const rstCode = (d as { rstCode?: number }).rstCode;
  return d.readableEnded && d.writableFinished && !(rstCode !== undefined && rstCode > 0);
}

function ignore(): void {}
