// Keeps the stored form of a key file in step with the cluster: sealed by the
// current unlock key while autolock is on, plain once it is off. Writes only
// when the wanted form differs from what is on disk; one write at a time.
// Used for the data key (data-key.ts) and the node's TLS key (credentials.ts).

import { unlockKeyId } from '../ca';

export class KeySealer {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    /** The id of the unlock key the file is sealed under now; undefined: stored plain. */
    private keyId: string | undefined,
    /** Stores the key sealed by `unlockKey`, or plain without one. */
    private readonly write: (unlockKey: string | undefined) => Promise<void>,
    /** Names the file in warnings. */
    private readonly what: string,
    private readonly warn: (m: string) => void,
  ) {}

  /** `unlockKey`: the cluster's current one when autolock is on, else undefined. */
  follow(unlockKey: string | undefined): Promise<void> {
    this.queue = this.queue.then(async () => {
      const want = unlockKey ? unlockKeyId(unlockKey) : undefined;
      if (want === this.keyId) return;
      try {
        await this.write(unlockKey);
        this.keyId = want;
      } catch (e) {
        this.warn(`could not ${unlockKey ? 're-seal' : 'unseal'} ${this.what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    return this.queue;
  }
}
