// Its own file so that both snapshot formats can throw it without importing each other.

export class SnapshotError extends Error {
  constructor(message: string) {
    super(`store snapshot: ${message}`);
    this.name = 'SnapshotError';
  }
}
