/** Output of a container, split by stream. */
export interface ContainerOutput {
  stdout: string;
  stderr: string;
}

const HEADER_BYTES = 8;
const STDERR = 2;

/**
 * Splits the multiplexed log buffer that the engine returns for containers started
 * without a TTY: frames of [stream, 0, 0, 0, size (big-endian u32)] then payload.
 */
export function demuxLogs(buffer: Buffer): ContainerOutput {
  const out: ContainerOutput = { stdout: '', stderr: '' };
  let offset = 0;
  while (offset + HEADER_BYTES <= buffer.length) {
    const stream = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    const payload = buffer.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + size).toString('utf8');
    if (stream === STDERR) out.stderr += payload;
    else out.stdout += payload;
    offset += HEADER_BYTES + size;
  }
  return out;
}
