import { splitShellWords } from '../../../../src/compose/loader/shell-words';

describe('shell words', () => {
  it.each([
    ['bundle exec thin -p 3000', ['bundle', 'exec', 'thin', '-p', '3000']],
    ['  a   b  ', ['a', 'b']],
    [`sh -c 'echo "$HOME"'`, ['sh', '-c', 'echo "$HOME"']],
    [`echo "a b" c\\ d`, ['echo', 'a b', 'c d']],
    [`echo "a \\"q\\" b"`, ['echo', 'a "q" b']],
    [`echo '' ""`, ['echo', '', '']],
    [`echo 'a\\b'`, ['echo', 'a\\b']],
    ['', []],
  ])('%s', (line, words) => {
    expect(splitShellWords(line)).toEqual({ words });
  });

  it('stops at an unquoted shell operator and returns the rest', () => {
    expect(splitShellWords('echo a && echo b')).toEqual({ words: ['echo', 'a'], rest: '&& echo b' });
    expect(splitShellWords('cat x|grep y')).toEqual({ words: ['cat', 'x'], rest: '|grep y' });
    expect(splitShellWords('sh -c "a && b"')).toEqual({ words: ['sh', '-c', 'a && b'] });
  });

  it('rejects unterminated quotes', () => {
    expect(() => splitShellWords('echo "a')).toThrow(/unterminated/);
    expect(() => splitShellWords("echo 'a")).toThrow(/unterminated/);
    expect(() => splitShellWords('echo a\\')).toThrow(/trailing backslash/);
  });
});
