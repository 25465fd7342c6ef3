// The one logging interface every layer takes (Raft, the daemons, the CLI's
// daemon runner): three levels, no formatting, so tests pass a silent one.

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}
