// Docker-style output: upper-case headers, columns padded to the widest cell
// with three spaces between them, ids cut to 12 characters unless --no-trunc,
// and `--format json` as one JSON object per line.

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function renderJsonLines(objects: object[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n') + (objects.length ? '\n' : '');
}

export function shortId(id: string, noTrunc = false): string {
  return noTrunc ? id : id.slice(0, 12);
}
