// The table layout docker's formatter gets from its tabwriter: every column
// but the last is padded to its widest cell plus 3 spaces, and never to less
// than 10 characters. The minimum matters: with it "STATUS" is followed by
// four spaces, as in docker's own output, where lib/cli/table.ts would give three.
//
// One deliberate difference: docker leaves the padding of empty trailing cells
// (a worker's MANAGER STATUS with no ENGINE VERSION) at the end of the line; we
// trim it, like the rest of our tables, since it is invisible and trips diffs.

const MIN_WIDTH = 10;
const PADDING = 3;

/** Code points, not UTF-16 units, so a hostname with an emoji does not skew the column. */
function textWidth(s: string): number {
  return Array.from(s).length;
}

export function renderDockerTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers, ...rows];
  const columns = Math.max(...all.map((r) => r.length));
  const widths: number[] = [];
  for (let col = 0; col < columns - 1; col++) {
    widths.push(Math.max(MIN_WIDTH, ...all.map((r) => textWidth(r[col] ?? '') + PADDING)));
  }
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < widths.length ? c + ' '.repeat(widths[i] - textWidth(c)) : c))
      .join('')
      .trimEnd();
  return all.map(line).join('\n') + '\n';
}
