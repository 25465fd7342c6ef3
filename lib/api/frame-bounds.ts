// The size bounds of the dispatcher session's frames, in one place for both ends.

/**
 * The largest frame either end sends or accepts (each side's WebSocket
 * maxPayload). Senders split what could be larger (assignments, network
 * tables, status reports, log lines) into messages of DISPATCHER_CHUNK_BYTES.
 */
export const DISPATCHER_MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** What a sender aims for per message when it splits: far below the bound, so one item of any allowed size fits. */
export const DISPATCHER_CHUNK_BYTES = 256 * 1024;
