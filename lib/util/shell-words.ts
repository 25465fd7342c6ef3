// Splitting a flag value into words the way docker does for --entrypoint and
// --args (google/shlex): blanks separate words, single quotes keep everything
// literally, double quotes keep blanks but honour backslash escapes, a
// backslash outside quotes escapes the next character, and a '#' that starts
// a word comments out the rest of the line.

const BLANK = /[ \t\r\n]/;

export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (!inWord) {
      if (BLANK.test(c)) {
        i++;
        continue;
      }
      if (c === '#') {
        // A comment runs to the end of the line.
        while (i < text.length && text[i] !== '\n') i++;
        continue;
      }
      inWord = true;
    }
    if (BLANK.test(c)) {
      words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new Error('unterminated escape: a backslash ends the text');
      word += text[i + 1];
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error("unterminated quote: no closing '");
      word += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < text.length) {
          word += text[i + 1];
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) throw new Error('unterminated quote: no closing "');
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
