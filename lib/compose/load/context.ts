import { type ComposeIssue, type PathSegment, formatPath } from '../errors';
import type { ParsedFile } from '../yaml/parse';

// What the steps that read one file share: the file with its positions, the
// variables, the working directory, and the list problems are added to (each
// with its place in the file).

export interface Reference {
  kind: 'network' | 'volume' | 'secret' | 'config';
  name: string;
  service: string;
  path: PathSegment[];
  file: string;
  line: number;
  column: number;
}

export class FileContext {
  readonly references: Reference[] = [];
  readonly warnings: string[] = [];

  constructor(
    readonly parsed: ParsedFile,
    readonly version: string,
    readonly workingDir: string,
    readonly lookup: (name: string) => string | undefined,
    readonly issues: ComposeIssue[],
    readonly readEnvFile?: (path: string) => string,
  ) {}

  get file(): string {
    return this.parsed.path;
  }

  issue(path: readonly PathSegment[], message: string, options: { atKey?: boolean; locate?: readonly PathSegment[] } = {}): void {
    const at = options.locate ?? path;
    const pos = options.atKey ? this.parsed.positions.keyPosition(at) : this.parsed.positions.position(at);
    this.issues.push({ file: this.file, path: formatPath(path), line: pos.line, column: pos.column, message });
  }

  reference(kind: Reference['kind'], name: string, service: string, path: PathSegment[]): void {
    const pos = this.parsed.positions.position(path);
    this.references.push({ kind, name, service, path, file: this.file, ...pos });
  }
}
