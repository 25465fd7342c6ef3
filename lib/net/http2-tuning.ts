// HTTP/2 flow-control and framing settings shared by the node server and the
// mesh client: node-to-node tunnels carry proxied TCP connections, so the
// defaults (64 KiB windows, 16 KiB frames) would cap a stream at one window per
// round trip and cut bulk data into many small frames.

import type { Settings } from 'http2';

/** Per-stream receive window: one bulk stream can keep this much in flight. */
export const STREAM_WINDOW = 8 * 1024 * 1024;
/** Whole-session receive window, shared by every stream of a node pair. */
export const SESSION_WINDOW = 64 * 1024 * 1024;
/** Largest DATA frame we accept; fewer frames per megabyte means less per-frame work. */
export const MAX_FRAME = 256 * 1024;
/** One stream per proxied connection: a busy node pair can have thousands open. */
export const MAX_STREAMS = 10_000;
/**
 * Megabytes nghttp2 may hold per session before refusing new streams. The
 * default (10) is below what the windows above can put in flight at once.
 */
export const MAX_SESSION_MEMORY_MB = 256;

export const HTTP2_SETTINGS: Settings = {
  initialWindowSize: STREAM_WINDOW,
  maxFrameSize: MAX_FRAME,
  maxConcurrentStreams: MAX_STREAMS,
};
