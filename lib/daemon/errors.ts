// Errors the CLI names without loading the daemon itself.

export class AlreadyInSwarmError extends Error {
  constructor(dir: string) {
    super(`this node is already part of a swarm (data dir ${dir}); use 'swarm start' to run it or 'swarm leave' first`);
    this.name = 'AlreadyInSwarmError';
  }
}
