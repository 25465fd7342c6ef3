// The parent's handle on a forked raft member process: start, request,
// kill -9, wait for exit. Traffic stays on 127.0.0.1.

import { ChildProcess, fork } from 'child_process';
import { existsSync } from 'fs';
import { join, sep } from 'path';
import { Envelope, MemberConfig, MemberReply, MemberRequest, MemberStatus } from './protocol';

// Under ts-jest this module runs from lib/; the child always runs the compiled file.
const MAIN = __dirname.includes(`${sep}dist${sep}`)
  ? join(__dirname, 'member-main.js')
  : join(__dirname, '..', '..', '..', 'dist', 'lib', 'raft', 'process', 'member-main.js');

export class MemberProcess {
  private seq = 1;
  private readonly waiting = new Map<number, (r: MemberReply) => void>();
  private readonly exited: Promise<number | null>;
  stderr = '';

  private constructor(
    readonly config: MemberConfig,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.on('message', (m: Envelope<MemberReply>) => {
      const w = this.waiting.get(m.seq);
      if (w) {
        this.waiting.delete(m.seq);
        w(m.body);
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      // Keep the tail only: enough to explain a failure.
      this.stderr = (this.stderr + d.toString()).slice(-20_000);
    });
    void this.exited.then(() => {
      for (const w of this.waiting.values()) w({ ok: false, error: `member ${config.id} exited` });
      this.waiting.clear();
    });
  }

  /** Forks the member and resolves once it has opened its storage and started listening. */
  static async start(config: MemberConfig, opts: { inheritStderr?: boolean } = {}): Promise<MemberProcess> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'npm run build' first`);
    const child = fork(MAIN, [], {
      env: { ...process.env, SWARM_RAFT_MEMBER: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', opts.inheritStderr ? 'inherit' : 'pipe', 'ipc'],
    });
    const mp = new MemberProcess(config, child);
    const ready = new Promise<MemberReply>((resolve) => mp.waiting.set(0, resolve));
    const first = await Promise.race([ready, mp.exited.then(() => null)]);
    if (!first || !first.ok) throw new Error(`member ${config.id} did not start: ${mp.stderr.trim() || 'exited early'}`);
    return mp;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  request(body: MemberRequest, timeoutMs = 30_000): Promise<MemberReply> {
    const seq = this.seq++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        resolve({ ok: false, error: `member ${this.config.id}: no answer to ${body.op} within ${timeoutMs} ms` });
      }, timeoutMs);
      this.waiting.set(seq, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      if (!this.child.connected) {
        this.waiting.delete(seq);
        clearTimeout(timer);
        resolve({ ok: false, error: `member ${this.config.id} is not running` });
        return;
      }
      this.child.send({ seq, body } satisfies Envelope<MemberRequest>);
    });
  }

  async status(): Promise<MemberStatus | undefined> {
    const r = await this.request({ op: 'status' }, 5_000);
    return r.ok ? r.status : undefined;
  }

  /** SIGKILL: no chance to flush anything, as in a crash. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await this.request({ op: 'stop' }, 10_000);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
