// Docker-style output helpers: `--format json` as one JSON object per line,
// ids cut to 12 characters unless --no-trunc. Tables: render/tabwriter.ts.

export function renderJsonLines(objects: object[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n') + (objects.length ? '\n' : '');
}

export function shortId(id: string, noTrunc = false): string {
  return noTrunc ? id : id.slice(0, 12);
}
