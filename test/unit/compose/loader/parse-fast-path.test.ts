/**
 * The parse stage reads with js-yaml when it can (yaml-fast-reader.ts) and with
 * the `yaml` package otherwise. Both must give the same tree, the same origins
 * (every key, value and item position, merge tags) and the same diagnostics.
 */
import { parseWithYamlPackage, parseYaml } from '../../../../src/compose/loader/parse';
import { readFast } from '../../../../src/compose/loader/yaml-fast-reader';
import { ORIGIN, type Node, type Origin, type Pos } from '../../../../src/compose/loader/tree';
import { ValidationError } from '../../../../src/compose/errors';

const at = (p: Pos | undefined): string => (p ? `${p.line}:${p.col}` : '-');

/** Whether the fast path reads `src` itself (rather than leaving it to the yaml package). */
const readsFast = (src: string): boolean => readFast(src, () => ({ file: 'c.yaml', line: 1, col: 1 })) !== undefined;

/** The tree with every origin written out, or the diagnostics. */
function described(parse: (s: string, f: string) => { tree: Node }, src: string): unknown {
  const show = (n: Node): unknown => {
    if (n === null || typeof n !== 'object') return typeof n === 'number' && !Number.isFinite(n) ? String(n) : n;
    const o = (n as { [ORIGIN]?: Origin })[ORIGIN];
    if (Array.isArray(n)) return { at: at(o?.pos), items: o?.items?.map(at), values: n.map(show) };
    const keys = Object.keys(n);
    return {
      at: at(o?.pos),
      tags: o?.tags,
      entries: keys.map((k) => [k, `${at(o?.keys?.[k]?.key)}/${at(o?.keys?.[k]?.value)}`, show(n[k])]),
    };
  };
  try {
    return show(parse(src, 'c.yaml').tree);
  } catch (e) {
    if (e instanceof ValidationError) return e.diagnostics.map((d) => `${at(d.pos)} ${d.path} ${d.message}`);
    throw e;
  }
}

/** Sources the fast path reads itself; each must read as the `yaml` package reads it. */
const fastCases: Record<string, string> = {
  'anchored scalars and aliases to them': 'a: &x 1\nb: *x\nc: &s "text"\nd: [*s, *x]\n',
  'anchored sequences and maps': 'a: &l\n  - 1\n  - two\nb: *l\nc: &m {k: v}\nd:\n  - *m\n  - *l\n',
  'merge keys, explicit keys winning': 'x: &c\n  a: 1\n  b: 2\ny:\n  a: 0\n  <<: *c\n  c: 3\n',
  'a list of merge sources, earlier winning': 'p: &p {a: 1}\nq: &q {a: 2, b: 2}\nz:\n  <<: [*p, *q]\n',
  'a quoted "<<" is a plain key': 'z:\n  "<<": {a: 1}\n',
  'flow collections': 'a: [1, "two", {k: v, j: [x, y]}, []]\nb: {}\nc: { k : v }\n',
  'flow collections over lines': 'a:\n  b: [\n      1,\n      2\n    ]\n  c:\n    ["x",\n     "y"]\n',
  'multi-line plain and quoted scalars': 'a: one\n  two\n\n  three\nb: "x\n  y"\nc: \'it\'\'s\n  here\'\n',
  'block scalars': 'a: |\n  x\n   y\nb: >-\n  folded\n  text\n\n  para\nc: |+\n  keep\n\nd: |2\n   indented\n',
  comments: '# top\na: 1 # after\n# between\nb:\n  # inside\n  c: 2\n  d: # before the value\n    e\n',
  'comments at any indentation': 'a:\n  b: 1\n# low\n  c: 2\n',
  'empty values': 'a:\nb:   # c\nc: {k: , j: 1}\nd: !reset\ne: !override\nf: &n\ng: *n\n',
  'merge tags': 'a: !reset []\nb: !override\n  - 1\nc: !override {x: 1}\nd: !reset null\ne: !override 80\nf: !override &t 1\ng: *t\nh: [!reset 1]\n',
  'scalar types': 'a: 0440\nb: "0440"\nc: 089\nd: 0o17\ne: 0x1F\nf: 1e3\ng: .5\nh: -.inf\ni: .NaN\nj: +12\nk: 1_000\nl: 2020-01-01\nm: yes\nn: ~\no: Null\np: True\nq: -0\nr: 1.50\n',
  'keys are strings': '1: a\ntrue: b\n~: c\n0440: d\n1.5: e\n"quoted": f\n\'single\': g\n',
  'explicit keys': '? a\n: b\n? c\n: d\n',
  'CRLF line endings': 'a: 1\r\nb:\r\n  - x\r\n  - "y"\r\nc: |\r\n  text\r\n',
  'a byte order mark': '\ufeffa: 1\nb: [x]\n',
  'a document start marker': '---\na: 1\n',
  'a document that is not a mapping': '- a\n- b\n',
  'no line break at the end': 'a:\n  b: 1\nc:',
  'sequences at the indentation of their key': 'a:\n- 1\n- b: 2\n  c: 3\n',
  'nested sequences': 'a:\n  - - 1\n    - 2\n  - [3, 4]\n',
  'an empty document': '# nothing\n',
  'a typical service': [
    'x-common: &common',
    '  restart: ${RESTART:-always}',
    '  logging: {driver: json-file}',
    'services:',
    '  web:',
    '    <<: *common',
    '    image: "nginx:${TAG:-latest}"',
    '    command: ["serve", "--port", "80"]',
    '    environment:',
    '      A: "1"',
    '      B:',
    '    ports:',
    '      - "8080:80"',
    '      - target: 9090',
    '        published: "9090"',
    '    healthcheck:',
    '      test: >',
    '        curl -f',
    '        http://localhost',
    'volumes:',
    '  data: {}',
    '  logs:',
    '',
  ].join('\n'),
};

describe('parse stage: fast path', () => {
  it.each(Object.entries(fastCases))('reads %s as the yaml package does', (_, src) => {
    expect(readsFast(src)).toBe(true);
    expect(described(parseYaml, src)).toEqual(described(parseWithYamlPackage, src));
  });

  it('places values as the yaml package does: after a BOM, at CRLF, for empty values', () => {
    const { tree } = parseYaml('\ufeffa: 1\r\nb:\r\nc: &x   # c\r\n', 'c.yaml');
    const o = (tree as { [ORIGIN]?: Origin })[ORIGIN];
    expect(at(o?.keys?.a.key)).toBe('1:2');
    expect(at(o?.keys?.a.value)).toBe('1:5');
    expect(at(o?.keys?.b.value)).toBe('2:3');
    expect(at(o?.keys?.c.value)).toBe('3:9');
  });

  it('gives each alias its own copy of the anchored value', () => {
    const { tree } = parseYaml('a: &m {k: [1]}\nb: *m\n', 'c.yaml');
    expect(tree.b).toEqual(tree.a);
    expect(tree.b).not.toBe(tree.a);
  });
});

/** Sources the fast path leaves to the yaml package (which reports or reads them). */
const slowCases: Record<string, string> = {
  'duplicate keys': 'services:\n  web: {}\n  web: {}\n',
  'keys equal once resolved': '01: a\n1: b\n',
  'a tab as indentation': 'services:\n  web:\n\timage: x\n',
  'a tab alone on a line after an empty value': 'a:\n\t\nb: 1\n',
  'an unknown alias': 'a: *nothing\n',
  'an unterminated string': 'a: "text\n',
  'a flow collection not indented enough': 'a:\n  b: [\n  1]\n',
  'text after a flow collection over lines': 'a:\n  b: [1,\n    2]  c: 3\n',
  'a block map on the line of ---': '--- a: 1\n',
  'a plain scalar after a comment line': 'a:\n  b:\n# c\n    x\n  d: 1\n',
  'a %YAML directive': '%YAML 1.1\n---\na: yes\n',
  'other tags': 'a: !!str 1\nb: !custom x\n',
  'an anchored key': '&k a: 1\n',
  'an alias as a key': 'a: &k x\n*k : 2\n',
  'a pair in a flow sequence': 'a: [b: 1]\n',
  'a flow map entry without a value': 'a: {b, c: 1}\n',
  'an empty sequence entry': 'a:\n  -\n  - b\n',
  'several documents': 'a: 1\n---\nb: 2\n',
  'a lone CR line break': 'a: 1\rb: 2\n',
  'a document end marker': 'a: 1\n...\n',
  'an anchor defined twice': 'a: &x 1\nb: *x\nc: &x 2\nd: *x\n',
  'an anchor defined again inside what an alias copies': 'a: &x {b: &y 1}\nc: &y 2\nd: *x\ne: *y\n',
  'an anchor in a !reset value': 'f: &t !reset 1\ng: *t\n',
  'an alias bomb': ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]', ...[1, 2, 3, 4, 5, 6].map((i) => `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`)].join('\n'),
};

describe('parse stage: what the fast path leaves to the yaml package', () => {
  it.each(Object.entries(slowCases))('%s', (_, src) => {
    expect(readsFast(src)).toBe(false);
    expect(described(parseYaml, src)).toEqual(described(parseWithYamlPackage, src));
  });

  it('reports a tab in indentation at its place', () => {
    expect(described(parseYaml, slowCases['a tab alone on a line after an empty value'])).toEqual([
      '2:1  invalid YAML: Tabs are not allowed as indentation',
    ]);
  });

  it('reports keys equal once resolved as duplicates', () => {
    expect(described(parseYaml, slowCases['keys equal once resolved'])).toEqual(['2:1 1 duplicate key "1": each key may appear only once in a mapping']);
  });
});

describe('parse stage: aliases that expand forever or too far', () => {
  it('stops an alias bomb with a diagnostic', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const started = Date.now();
    const problems = described(parseYaml, lines.join('\n') + '\n');
    expect(problems).toEqual([expect.stringMatching(/^\d+:\d+ a\d(\[\d+\])+ the document expands to too many nodes \(alias bomb\?\)$/)]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('reports an alias inside the node it refers to, on both paths', () => {
    for (const parse of [parseYaml, parseWithYamlPackage]) {
      expect(described(parse, 'a: &x [1, *x]\n')).toEqual(['1:11 a[1] alias *x refers to a node that contains it']);
      expect(described(parse, 'a: &x\n  b:\n    c: *x\n')).toEqual(['3:8 a.b.c alias *x refers to a node that contains it']);
    }
  });
});
