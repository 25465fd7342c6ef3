// Every problem found in a compose file is reported with where it is: the
// file, the path inside it (`services.web.deploy.replicas`) and the line and
// column, so a user with a 300-line stack file goes straight to the spot.
// Loading collects all it can find before failing, and the error prints one
// problem per line.

/** A place in a compose file: 1-based line and column. */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface ComposeIssue {
  /** The compose file as the caller named it. */
  file: string;
  /** Dotted path into the file, lists as `[n]`: `services.web.ports[1]`; "" for the file itself. */
  path: string;
  line: number;
  column: number;
  message: string;
}

/** A key or a list index, the steps of a path into a parsed document. */
export type PathSegment = string | number;

/** `["services","web","ports",1]` as `services.web.ports[1]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

export function formatIssue(i: ComposeIssue): string {
  const where = `${i.file}:${i.line}:${i.column}`;
  return i.path === '' ? `${where}: ${i.message}` : `${where}: ${i.path}: ${i.message}`;
}

export class ComposeError extends Error {
  readonly issues: readonly ComposeIssue[];

  constructor(issues: readonly ComposeIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ComposeError';
    this.issues = issues;
  }
}

/** Orders issues as they appear: by file (in the given order), line, column. */
export function sortIssues(issues: ComposeIssue[], fileOrder: readonly string[]): ComposeIssue[] {
  const rank = (f: string) => {
    const i = fileOrder.indexOf(f);
    return i < 0 ? fileOrder.length : i;
  };
  return [...issues].sort((a, b) => rank(a.file) - rank(b.file) || a.line - b.line || a.column - b.column);
}
