// DNS over TCP: each message is preceded by its length in two bytes (RFC 1035 §4.2.2).

export function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}

/**
 * Splits a TCP byte stream into messages. Holds at most one partial message
 * (64 KiB) between calls, whatever the peer sends.
 */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  /** The whole messages completed by `chunk`, in order. Throws on a zero-length message. */
  push(chunk: Buffer): Buffer[] {
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    while (data.length >= 2) {
      const length = data.readUInt16BE(0);
      if (length === 0) throw new Error('zero-length DNS message');
      if (data.length < 2 + length) break;
      messages.push(data.subarray(2, 2 + length));
      data = data.subarray(2 + length);
    }
    // A copy, so a small remainder does not pin the whole chunk it came from.
    this.pending = Buffer.from(data);
    return messages;
  }

  /** Bytes of a message begun but not finished. */
  get partialBytes(): number {
    return this.pending.length;
  }
}
