import { splitShellWords } from '../../../lib/util/shell-words';

describe('shell words, as docker splits --entrypoint and --args', () => {
  test.each([
    ['sh -c "echo hi"', ['sh', '-c', 'echo hi']],
    ["sh -c 'echo $HOME; ls'", ['sh', '-c', 'echo $HOME; ls']],
    ['  a   b\tc\n', ['a', 'b', 'c']],
    ['a\\ b c', ['a b', 'c']],
    ['"a \\"quoted\\" word"', ['a "quoted" word']],
    ['pre"mid dle"post', ['premid dlepost']],
    ['""', ['']],
    ["a '' b", ['a', '', 'b']],
    ['echo # a comment', ['echo']],
    ['echo a#b', ['echo', 'a#b']],
    ['# only a comment\nls', ['ls']],
    ['', []],
    ['   ', []],
  ])('%p', (text, words) => {
    expect(splitShellWords(text)).toEqual(words);
  });
  test.each([
    ['"open', 'no closing "'],
    ["'open", "no closing '"],
    ['ends\\', 'a backslash ends the text'],
  ])('refuses %p', (text, why) => {
    expect(() => splitShellWords(text)).toThrow(why);
  });
});
