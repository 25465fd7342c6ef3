// An autolocked manager after a restart: its data key and TLS key are sealed
// by the cluster's unlock key, so it can neither read its Raft log nor prove
// who it is to the cluster, and it starts nothing
// (no TLS port, no Raft, no agent) until `swarm unlock` hands it the key over
// the control socket. It answers `info` (state "locked") and `stop`; every
// other request gets docker's message saying how to unlock.

import { UnlockKeyError } from '../ca';
import { RaftLogger } from '../raft/core/config';
import { ControlError, ControlServer } from './control-server';
import { StoredCredentials } from './credentials';
import { Opened, unlockWith, UnlockStep } from './unlock-keys';
import { DataDirLayout } from './data-dir';
import { StoredDataKey } from './data-key';
import { NodeIdentity } from './identity';
import type { PidLock } from './pid-lock';
import type { Handover } from './role-switch';
import { ok, Router } from './router';

export const LOCKED_MESSAGE = 'Swarm is encrypted and needs to be unlocked before it can be used. Please use "swarm unlock" to unlock it.';

/** What an unlocked manager starts with: the handover (with its TLS key opened) plus the opened data key. */
export interface Unlocked extends Handover {
  /** Undefined when the manager has none yet: it makes one, sealed by `unlockKey`. */
  dataKey?: { dek: Buffer; stored: StoredDataKey };
  unlockKey: string;
}

/** Locked: either key is sealed (both are, but for a crash in the middle of sealing them). */
export function isLocked(creds: StoredCredentials, dataKey: StoredDataKey | undefined): boolean {
  return creds.key.kind === 'sealed' || dataKey?.kind === 'sealed';
}

export class LockedManager {
  private control?: ControlServer;
  private stopped?: Promise<void>;
  /** What earlier `unlock` keys opened, when one key opened only one of the two files (unlock-keys.ts). */
  private opened: Opened = {};
  private resolveDone!: (next: Unlocked | undefined) => void;
  /** Resolves with the opened key once unlocked, or undefined when stopped while locked. */
  readonly done: Promise<Unlocked | undefined>;

  private constructor(
    readonly dir: DataDirLayout,
    private readonly identity: NodeIdentity,
    private readonly creds: StoredCredentials,
    private readonly lock: PidLock,
    private readonly dataKey: StoredDataKey | undefined,
    private readonly log: RaftLogger,
  ) {
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  static async start(
    dir: DataDirLayout,
    identity: NodeIdentity,
    creds: StoredCredentials,
    lock: PidLock,
    dataKey: StoredDataKey | undefined,
    log: RaftLogger,
  ): Promise<LockedManager> {
    const d = new LockedManager(dir, identity, creds, lock, dataKey, log);
    d.control = new ControlServer(dir.socket, d.routes());
    await d.control.start();
    log.info(`node ${identity.nodeId} (${identity.hostname}) is an autolocked manager: waiting for 'swarm unlock'`);
    return d;
  }

  get node(): NodeIdentity {
    return this.identity;
  }

  private routes() {
    const r = new Router();
    r.on('GET', '/v1/info', async () =>
      ok({
        clusterId: this.identity.clusterId,
        nodeId: this.identity.nodeId,
        hostname: this.identity.hostname,
        role: 'manager',
        state: 'locked',
        isManager: true,
        nodeAddr: this.identity.advertiseAddr.replace(/:\d+$/, ''),
        managers: [],
        nodes: 0,
        managersCount: 0,
        error: LOCKED_MESSAGE,
      }),
    );
    r.on('POST', '/v1/unlock', async (req) => {
      const key = (req.body as { key?: unknown } | undefined)?.key;
      if (typeof key !== 'string' || key.trim() === '') throw new ControlError(400, 'the request must carry the unlock key');
      if (this.stopped) throw new ControlError(409, 'this manager is already unlocked or stopping');
      const unlockKey = key.trim();
      let step: UnlockStep;
      try {
        step = unlockWith(this.creds, this.dataKey, this.opened, unlockKey);
      } catch (e) {
        if (e instanceof UnlockKeyError) throw new ControlError(400, e.message);
        throw e;
      }
      if (!step.done) {
        this.opened = step.opened;
        throw new ControlError(400, step.message);
      }
      const next: Unlocked = { identity: this.identity, creds: step.creds, lock: this.lock, dataKey: step.dataKey, unlockKey };
      this.log.info('unlocked: starting the manager');
      // Answer first: this socket closes when the manager takes over.
      setImmediate(() => void this.finish(next));
      return ok({ unlocked: true });
    });
    r.on('POST', '/v1/stop', async () => {
      setImmediate(() => void this.stop());
      return ok({ stopping: true });
    });
    const routed = r.handler();
    return async (req: Parameters<typeof routed>[0]) => {
      if (req.path === '/v1/info' || req.path === '/v1/unlock' || req.path === '/v1/stop') return routed(req);
      throw new ControlError(503, LOCKED_MESSAGE);
    };
  }

  stop(): Promise<void> {
    return this.finish(undefined);
  }

  private finish(next: Unlocked | undefined): Promise<void> {
    if (this.stopped) return this.stopped;
    this.stopped = (async () => {
      await this.control?.stop().catch(() => undefined);
      if (!next) await this.lock.release().catch(() => undefined);
      this.resolveDone(next);
    })();
    return this.stopped;
  }
}
