// Joins two byte streams (a client socket and its way to the task: a socket or
// a mesh stream) both ways, as a TCP proxy must: backpressure, a FIN passed on
// as end() while the other direction keeps flowing (both sides need
// allowHalfOpen), and an abort on one side reset on the other, so neither end
// is left waiting on a connection that is gone. How bytes move depends on the
// source (forward()): the bench of this path is npm run bench:mesh.

import { Socket } from 'net';
import type { Duplex } from 'stream';
import { TLSSocket } from 'tls';
import { forwardFastRead, isFastRead } from './fast-read';

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
  forward(a, b);
  forward(b, a);
  // An HTTP/2 stream cut off with its session (the far node went away)
  // says 'aborted' and then 'end': the reset must go out before that 'end'
  // becomes a FIN, which would pass a cut-off answer for a whole one.
  a.once('aborted', () => abort(b));
  b.once('aborted', () => abort(a));
  a.once('close', () => {
    if (!finished(a)) abort(b);
  });
  b.once('close', () => {
    if (!finished(b)) abort(a);
  });
}

/** One direction, by what the source is. */
function forward(src: Duplex, dst: Duplex): void {
  // A container's socket dialed by this node: read into its own buffer and written straight on (fast-read.ts).
  if (isFastRead(src)) return forwardFastRead(src, dst);
  // A socket delivers one read per event-loop callback, each already as large as it gets: nothing to gather.
  if (src instanceof Socket) return void src.pipe(dst);
  gather(src, dst);
}

/**
 * Collects what an HTTP/2 stream delivers within one turn of the event loop
 * into one write on `dst`. A mesh stream hands its data over in pieces of a
 * TLS record (16 KiB) or less, often a full one and a short rest per DATA
 * frame; written one by one to a socket, each is a write() system call, the
 * main cost of the mesh's bulk path. The pieces come in separate callbacks
 * from the session, each followed by a run of the nextTick queue, so the
 * batch must last until setImmediate: after the loop's I/O callbacks, before
 * it waits again. dst's high-water mark is not applied to the writes of one
 * batch (pipe() would pause the stream at the first 16 KiB of every batch),
 * only once the batch is written: then the stream pauses until dst drains.
 */
function gather(src: Duplex, dst: Duplex): void {
  let corked = false;
  const flush = (): void => {
    corked = false;
    dst.uncork();
    if (dst.writableNeedDrain && !src.isPaused()) {
      src.pause();
      dst.once('drain', () => src.resume());
    }
  };
  src.on('data', (chunk: Buffer) => {
    if (dst.destroyed) return;
    if (!corked) {
      corked = true;
      dst.cork();
      setImmediate(flush);
    }
    dst.write(chunk);
  });
  // end() writes out a batch still corked first.
  src.once('end', () => dst.end());
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
