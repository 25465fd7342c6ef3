// The comma-separated `key=value,...` form of --mount and --publish, read as
// Go's encoding/csv reads one record (docker parses them that way): a field
// may be double-quoted to hold commas, with "" standing for one quote.

export function splitCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('extraneous or missing " in quoted-field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',') throw new Error('extraneous or missing " in quoted-field');
    } else {
      while (i < text.length && text[i] !== ',') {
        if (text[i] === '"') throw new Error('bare " in non-quoted-field');
        field += text[i++];
      }
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}
