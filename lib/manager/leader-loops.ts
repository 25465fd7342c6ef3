// Control loops that run only on the Raft leader (dispatcher now; the
// orchestrator and scheduler next). They start when this manager becomes
// leader and are stopped the moment it loses leadership, so two managers
// never act on the cluster at once for long.

export interface LeaderLoop {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

export class LeaderLoops {
  private readonly loops: LeaderLoop[] = [];
  private running = false;
  /** Serializes start/stop so a quick lose-win-lose sequence never overlaps two generations. */
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (loop: string, e: unknown) => void) {}

  add(loop: LeaderLoop): void {
    this.loops.push(loop);
    if (this.running) this.startOne(loop);
  }

  get isRunning(): boolean {
    return this.running;
  }

  setLeader(isLeader: boolean): Promise<void> {
    this.transition = this.transition.then(async () => {
      if (isLeader === this.running) return;
      this.running = isLeader;
      if (isLeader) for (const l of this.loops) this.startOne(l);
      else await Promise.all(this.loops.map((l) => l.stop().catch((e: unknown) => this.onError(l.name, e))));
    });
    return this.transition;
  }

  private startOne(l: LeaderLoop): void {
    try {
      l.start();
    } catch (e) {
      this.onError(l.name, e);
    }
  }
}
