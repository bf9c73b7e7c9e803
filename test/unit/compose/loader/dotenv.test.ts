import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDotEnv, parseDotEnvEntries, parseRawEnv } from '../../../../src/compose/loader/dotenv';
import { ValidationError } from '../../../../src/compose/errors';
import { CONFORMANCE as SHARED_CONFORMANCE } from '../../../shared';

const CONFORMANCE = path.join(SHARED_CONFORMANCE, 'compose-go');
const fixture = (name: string): string => fs.readFileSync(path.join(CONFORMANCE, 'dotenv/fixtures', name), 'utf8');
const none = (): undefined => undefined;
const lookupOf =
  (vars: Record<string, string>) =>
  (name: string): string | undefined =>
    vars[name];

const parse = (src: string, lookup: (n: string) => string | undefined = none): Record<string, string> =>
  Object.fromEntries(parseDotEnv(src, '.env', lookup));

function problems(src: string): string[] {
  try {
    parseDotEnv(src, '.env', none);
  } catch (e) {
    if (e instanceof ValidationError) return e.diagnostics.map((d) => `${d.pos?.line}:${d.pos?.col} ${d.path} ${d.message}`);
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('parseDotEnv: compose-go fixtures', () => {
  it('plain.env: unquoted values, blanks around =, empty values, inline comments', () => {
    expect(parse(fixture('plain.env'))).toEqual({
      OPTION_A: '1',
      OPTION_B: '2',
      OPTION_C: '3',
      OPTION_D: '4',
      OPTION_E: '5',
      '456': 'ABC',
      OPTION_F: '',
      OPTION_G: '',
      OPTION_H: 'my string',
    });
  });

  it('utf8-bom.env: the byte order mark is ignored', () => {
    expect(fixture('utf8-bom.env').charCodeAt(0)).toBe(0xfeff);
    expect(parse(fixture('utf8-bom.env'))).toEqual(parse(fixture('plain.env')));
  });

  it('quoted.env: single quotes literal and multi-line, double quotes with escapes', () => {
    expect(parse(fixture('quoted.env'))).toEqual({
      OPTION_A: '1',
      OPTION_B: '2',
      OPTION_C: '',
      OPTION_D: '\\n',
      OPTION_E: '1',
      OPTION_F: '2',
      OPTION_G: '',
      OPTION_H: '\n',
      OPTION_I: "echo 'asd'",
      OPTION_J: 'first line\nsecond line\nthird line\nand so on',
      OPTION_K: "Let's go!",
      OPTION_Z: 'last value',
    });
  });

  it('unquoted.env, exported.env, equals.env, special.env', () => {
    expect(parse(fixture('unquoted.env'))).toEqual({
      OPTION_A: 'some quoted phrase',
      OPTION_B: 'first one with an unquoted phrase',
      OPTION_C: 'then another one with an unquoted phrase',
      OPTION_D: 'then another one with an unquoted phrase special è char',
      OPTION_E: 'then another one quoted phrase',
    });
    expect(parse(fixture('exported.env'))).toEqual({ OPTION_A: '2', OPTION_B: '\\n' });
    expect(parse(fixture('equals.env'))).toEqual({ OPTION_A: 'postgres://localhost:5432/database?sslmode=disable' });
    expect(parse(fixture('special.env'))).toEqual({ 'VAR.WITH.DOTS': 'dots', VAR_WITH_UNDERSCORES: 'underscores', 'VAR-WITH-DASHES': 'dashes' });
  });

  it('substitutions: earlier keys of the file, then the lookup; undefined → empty', () => {
    const expected = { OPTION_A: '1', OPTION_B: '1', OPTION_C: '1', OPTION_D: '1_1', OPTION_E: '' };
    expect(parse(fixture('substitutions.env'))).toEqual(expected);
    expect(parse(fixture('substitutions-default.env'))).toEqual(expected);
    // The file's own definition is seen before the (lower-priority) lookup.
    expect(parse(fixture('substitutions.env'), lookupOf({ OPTION_A: '5' }))).toEqual(expected);
    expect(parse('A=${OTHER}-x', lookupOf({ OTHER: 'from-lookup' }))).toEqual({ A: 'from-lookup-x' });
  });

  it('substitutions: a priority lookup (the shell) wins over the file, as in Docker Compose', () => {
    const shell = lookupOf({ OPTION_A: '5' });
    const read = (name: string): Record<string, string> => Object.fromEntries(parseDotEnv(fixture(name), name, none, { priority: shell }));
    // The file still records its own OPTION_A; the environment stage lets the shell win.
    expect(read('substitutions.env')).toEqual({ OPTION_A: '1', OPTION_B: '5', OPTION_C: '5', OPTION_D: '5_5', OPTION_E: '' });
    expect(read('substitutions-default.env')).toEqual({ OPTION_A: '5', OPTION_B: '5', OPTION_C: '5', OPTION_D: '5_5', OPTION_E: '' });
  });

  it('inherited-*.env: a bare KEY takes its value from the lookup, or is left out', () => {
    const os = lookupOf({ VAR_TO_BE_LOADED_FROM_OS_ENV: 'SOME_RANDOM_VALUE' });
    expect(parse(fixture('inherited-single-var.env'), os)).toEqual({ VAR_TO_BE_LOADED_FROM_OS_ENV: 'SOME_RANDOM_VALUE' });
    expect(parse(fixture('inherited-multi-var.env'), os)).toEqual({ foo: 'bar', VAR_TO_BE_LOADED_FROM_OS_ENV: 'SOME_RANDOM_VALUE', bar: 'baz' });
    expect(parse(fixture('inherited-not-found.env'), os)).toEqual({});
    const entries = parseDotEnvEntries(fixture('inherited-multi-var.env'), 'x.env', os);
    expect(entries.map((e) => [e.key, e.line, e.inherited])).toEqual([
      ['foo', 1, false],
      ['VAR_TO_BE_LOADED_FROM_OS_ENV', 2, true],
      ['bar', 3, false],
    ]);
  });

  it('invalid1.env: a key with a space is an error at its line, after a multi-line value', () => {
    expect(problems(fixture('invalid1.env'))).toEqual(['7:1  variable name "INVALID LINE" cannot contain a space']);
  });

  it('custom.format: KEY:VALUE is read like KEY=VALUE', () => {
    expect(parse(fixture('custom.format'))).toEqual({ FOO: 'BAR', ZOT: 'QIX' });
  });

  it('types/fixtures: interpolation refers to keys defined above', () => {
    const base = fs.readFileSync(path.join(CONFORMANCE, 'types/fixtures/base.env'), 'utf8');
    expect(parse(base)).toEqual({
      FOO: 'foo_from_base.env',
      INTERPOLATED_FOO: 'foo_from_base.env',
      BAR: 'bar_from_base.env',
      INTERPOLATED_BAR: 'bar_from_base.env',
      ZOT: 'zot_from_base.env',
      INTERPOLATED_ZOT: 'zot_from_base.env',
    });
  });
});

describe('parseDotEnv: line syntax', () => {
  const one = (line: string): string | undefined => {
    const m = parse(line);
    return Object.values(m)[0];
  };

  it('reads keys, separators, blanks and export', () => {
    expect(parse('FOO =bar\nBAR= baz\n  KEY =value\n\tTAB=1')).toEqual({ FOO: 'bar', BAR: 'baz', KEY: 'value', TAB: '1' });
    expect(parse('OPTION_A: 1\nOPTION_B: Foo=bar\nOPTION_C=1:B')).toEqual({ OPTION_A: '1', OPTION_B: 'Foo=bar', OPTION_C: '1:B' });
    expect(parse('export OPTION_A=2\nexport\tB=3\n  export C="export A"')).toEqual({ OPTION_A: '2', B: '3', C: 'export A' });
    expect(parse('export exportFoo=2\nexportFOO=2\nexport_FOO =2\nexport.FOO= 2')).toEqual({
      exportFoo: '2',
      exportFOO: '2',
      export_FOO: '2',
      'export.FOO': '2',
    });
    expect(parse('FOO.BAR=foobar\nFOO=foobar=\na[1]=c\nárvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ')).toEqual({
      'FOO.BAR': 'foobar',
      FOO: 'foobar=',
      'a[1]': 'c',
      'árvíztűrő-TÜKÖRFÚRÓGÉP': 'ÁRVÍZTŰRŐ',
    });
  });

  it('trims unquoted values and cuts inline comments only after a blank', () => {
    expect(one('FOO=bar ')).toBe('bar');
    expect(one('FOO=bar # this is foo')).toBe('bar');
    expect(one('FOO=bar #this is foo')).toBe('bar');
    expect(one('FOO=bar #')).toBe('bar');
    expect(one('FOO=123#not-an-inline-comment')).toBe('123#not-an-inline-comment');
    expect(one('FOO=a\\tb')).toBe('a\\tb');
  });

  it('keeps # inside quotes and ignores a comment after the closing quote', () => {
    expect(one('FOO="bar#baz"')).toBe('bar#baz');
    expect(one('FOO="bar#baz"#')).toBe('bar#baz');
    expect(one('FOO="bar#baz" # comment')).toBe('bar#baz');
    expect(one("FOO='bar#baz' # comment")).toBe('bar#baz');
    expect(one('FOO="bar#baz#bang" # comment')).toBe('bar#baz#bang');
  });

  it('understands the double-quote escapes and keeps unknown ones', () => {
    expect(one('FOO="escaped\\"bar"')).toBe('escaped"bar');
    expect(one('FOO="\\"quoted\\""')).toBe('"quoted"');
    expect(one(`FOO="'d'"`)).toBe(`'d'`);
    expect(one('FOO="bar\\nbaz"')).toBe('bar\nbaz');
    expect(one('FOO="a\\tb"')).toBe('a\tb');
    expect(one('KEY="Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z"')).toBe('Z\x07Z\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ');
    expect(one('FOO="bar\\n\\ b\\az"')).toBe('bar\n\\ b\x07z');
    expect(one('FOO="bar\\\\\\n\\ b\\az"')).toBe('bar\\\n\\ b\x07z');
    expect(one('FOO="bar\\nbaz\\\\"')).toBe('bar\nbaz\\');
    expect(one('KEY="\\x07"')).toBe('\\x07');
    expect(one('KEY="\\u12e4"')).toBe('\\u12e4');
    expect(one('TEST_URLS="stratum+tcp://a:3333\nstratum+tcp://b:443"')).toBe('stratum+tcp://a:3333\nstratum+tcp://b:443');
  });

  it('interpolates unquoted and double-quoted values, never single-quoted or escaped $', () => {
    expect(parse('FOO=test\nBAR=$FOO')).toEqual({ FOO: 'test', BAR: 'test' });
    expect(parse('FOO=test\nBAR=${FOO}bar')).toEqual({ FOO: 'test', BAR: 'testbar' });
    expect(parse('BAR=$FOO')).toEqual({ BAR: '' });
    expect(parse('FOO=test\nBAR="quote $FOO"')).toEqual({ FOO: 'test', BAR: 'quote test' });
    expect(parse("BAR='quote $FOO'")).toEqual({ BAR: 'quote $FOO' });
    expect(parse('FOO="foo\\$BAR"')).toEqual({ FOO: 'foo$BAR' });
    expect(parse('FOO="foo\\${BAR}"')).toEqual({ FOO: 'foo${BAR}' });
    expect(parse('FOO=test\nBAR="foo\\${FOO} ${FOO}"')).toEqual({ FOO: 'test', BAR: 'foo${FOO} test' });
    expect(parse('A=${X:-${Y:-deep}}\nB=$$A')).toEqual({ A: 'deep', B: '$A' });
    expect(parse('TEST=$ME', lookupOf({ ME: 'YES' }))).toEqual({ TEST: 'YES' });
  });

  it('reads an empty value, a bare key at the end of the file, and text after a closing quote as Compose does', () => {
    expect(parse('A=\nB', lookupOf({ B: 'inherited' }))).toEqual({ A: '', B: 'inherited' });
    expect(parse('A="x" B=y')).toEqual({ A: 'x', B: 'y' });
  });

  it('skips blank lines, CRLF and comment lines; the last definition wins', () => {
    expect(parse('\r\n# comment\r\n\t # indented comment\r\nA=1\r\nB="x\r\ny"\r\nA=2\r\n')).toEqual({ A: '2', B: 'x\ny' });
  });

  it('reports bad lines at file:line:col, all of them', () => {
    expect(problems('OK=1\nlol$wut\n%!(EXTRA string)=foo\nX=1')).toEqual([
      '2:4  unexpected character "$" in variable name "lol$wut"',
      '3:1  unexpected character "%" in variable name "%!(EXTRA string)=foo"',
    ]);
    expect(problems('A=1\n="value"\n')).toEqual(['2:1  a variable name is missing before "="']);
  });

  it('reports unterminated quotes', () => {
    for (const src of ['KEY="', 'KEY="value', 'KEY="value\\"', `KEY="value'`, "KEY='", "KEY='value", "KEY='value\\'", `KEY='value"`]) {
      const [p] = problems(src);
      expect(p).toMatch(/^1:5 KEY unterminated quoted value/);
    }
  });

  it('reports template errors at the offending $', () => {
    expect(problems('A=1\nB=x ${NOPE:?is required}\nC="ab${"')).toEqual([
      '2:5 B required variable NOPE is missing a value: is required',
      '3:6 C invalid interpolation format "${": missing closing "}" (write "$$" for a literal "$")',
    ]);
    const e = (() => {
      try {
        parseDotEnv('B=${NOPE:?x}', 'dir/.env', none);
      } catch (err) {
        return err as ValidationError;
      }
      return undefined;
    })();
    expect(e?.message).toBe('dir/.env:1:3  B  required variable NOPE is missing a value: x');
  });
});

describe('parseRawEnv: the raw env_file format (docker run --env-file)', () => {
  const raw = (src: string, lookup: (n: string) => string | undefined = none): Record<string, string> =>
    Object.fromEntries(parseRawEnv(src, 'app.env', lookup));

  function rawProblems(src: string): string[] {
    try {
      parseRawEnv(src, 'app.env', none);
    } catch (e) {
      if (e instanceof ValidationError) return e.diagnostics.map((d) => `${d.pos?.line}:${d.pos?.col} ${d.path} ${d.message}`);
      throw e;
    }
    throw new Error('expected a ValidationError');
  }

  it('keeps values as written: quotes, $, escapes, # and trailing blanks (TestRawEnvFile)', () => {
    const written = fs.readFileSync(path.join(CONFORMANCE, '../docker-compose-e2e/e2e/testdata/TestRawEnvFile/.env.raw'), 'utf8');
    expect(raw(written)).toEqual({ TEST_VAR: `'{"key": "value"}'` });
    expect(raw(`A="x"\nB=$HOME \${X:-y}\nC=a\\nb\nD=v # not a comment \nE=\nF==x=`, lookupOf({ HOME: '/h', X: 'x' }))).toEqual({
      A: '"x"',
      B: '$HOME ${X:-y}',
      C: 'a\\nb',
      D: 'v # not a comment ',
      E: '',
      F: '=x=',
    });
  });

  it('skips leading blanks, blank and comment lines, a BOM and CR; the last definition wins', () => {
    expect(raw('\ufeffA=1\r\n\r\n  # comment\n\t B=two \r\nA=3\n')).toEqual({ A: '3', B: 'two ' });
  });

  it('takes a bare KEY from the lookup, and leaves it out when unknown', () => {
    expect(raw('KNOWN\nUNKNOWN\nEMPTY', lookupOf({ KNOWN: 'from env', EMPTY: '' }))).toEqual({ KNOWN: 'from env', EMPTY: '' });
  });

  it('reports a missing name and a name with a blank, each at its line', () => {
    expect(rawProblems('OK=1\n=value\nDEBUG = true\n  MY VAR\n')).toEqual([
      '2:1  a variable name is missing before "=" in "=value"',
      '3:1 DEBUG variable name "DEBUG " cannot contain a blank (in a raw env file the name ends at the first "=")',
      '4:3 MY VAR variable name "MY VAR" cannot contain a blank (in a raw env file the name ends at the first "=")',
    ]);
  });
});
