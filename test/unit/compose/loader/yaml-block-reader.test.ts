/**
 * The parse stage's block reader (yaml-block-reader.ts) reads plain block YAML
 * itself and leaves everything else to the next reader. Whatever it reads must
 * read as the `yaml` package reads it: the same tree, every key, value and item
 * position, or the same refusal. Checked on chosen cases, on every YAML file of
 * the conformance corpora, and on generated documents.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseWithYamlPackage, parseYaml } from '../../../../src/compose/loader/parse';
import { readBlockYaml } from '../../../../src/compose/loader/yaml-block-reader';
import { ORIGIN, type Node, type Origin, type Pos } from '../../../../src/compose/loader/tree';
import { ValidationError } from '../../../../src/compose/errors';
import { CONFORMANCE } from '../../../shared';

const at = (p: Pos | undefined): string => (p ? `${p.line}:${p.col}` : '-');

/** Offsets → positions, as the parse stage makes them. */
function posAt(source: string): (offset: number) => Pos {
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let line = 0;
    while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
    return { file: 'c.yaml', line: line + 1, col: offset - starts[line] + 1 };
  };
}

const readsBlock = (src: string): boolean => readBlockYaml(src, posAt(src)) !== undefined;

/** The tree with every origin written out. */
function show(n: Node): unknown {
  if (n === null || typeof n !== 'object') return typeof n === 'number' && !Number.isFinite(n) ? String(n) : n;
  const o = (n as { [ORIGIN]?: Origin })[ORIGIN];
  if (Array.isArray(n)) return { at: at(o?.pos), items: o?.items?.map(at), values: n.map(show) };
  return {
    at: at(o?.pos),
    tags: o?.tags,
    placed: o?.keys ? Object.keys(o.keys).length : undefined,
    entries: Object.keys(n).map((k) => [k, `${at(o?.keys?.[k]?.key)}/${at(o?.keys?.[k]?.value)}`, show(n[k])]),
  };
}

/** What the block reader reads, or undefined when it leaves the text to the next reader. */
function block(src: string): unknown {
  const r = readBlockYaml(src, posAt(src));
  return r === undefined ? undefined : show(r.value);
}

/** What the `yaml` package reads, or its diagnostics. */
function truth(src: string): unknown {
  try {
    return show(parseWithYamlPackage(src, 'c.yaml').tree);
  } catch (e) {
    if (e instanceof ValidationError) return e.diagnostics.map((d) => `${at(d.pos)} ${d.path} ${d.message}`);
    throw e;
  }
}

/** Sources the block reader reads itself. */
const blockCases: Record<string, string> = {
  'nested mappings and sequences': 'a:\n  b:\n    c: 1\n  d:\n    - x\n    - y: 2\n      z: 3\n',
  'a sequence at its key\'s indentation': 'a:\n- 1\n- b: 2\n  c: 3\nd: 4\n',
  'plain scalars of every type': 'a: 0440\nb: 089\nc: 0o17\nd: 0x1F\ne: 1e3\nf: .5\ng: -.inf\nh: .NaN\ni: +12\nj: yes\nk: ~\nl: Null\nm: True\nn: -0\no: 1.50\np: 2020-01-01\n',
  'quoted scalars': 'a: "x: y # z"\nb: \'it\'\'s\'\nc: ""\nd: \'\'\ne: "0440"\n',
  'flow sequences of scalars': 'a: [1, "two", \'three\', four five]\nb: []\nc: [ x ,y ]\n',
  'empty maps and values': 'a: {}\nb:\nc:   # comment\nd:\n',
  comments: '# top\na: 1 # after\n# between\nb:\n  # inside\n  c: 2\n    # deeper\n  d: e#f\n',
  'an anchored mapping merged into others': 'x: &c\n  a: 1\n  b: [2]\ny:\n  a: 0\n  <<: *c\n  d: 3\nz:\n  <<: *c\n',
  'an alias as a value': 'x: &c\n  a: 1\ny: *c\n',
  'values with colons and odd characters': 'a: http://x:80/y\nb: C:\\\\dir\nc: a,b]c}d\nd: -x\ne: ${A:-b}\n',
  'keys with dots, dashes and spaces': 'com.example.a: 1\nmax-size: 2\nkey with space: 3\nconstructor: 4\n',
  'no line break at the end': 'a:\n  b: 1\nc:',
  'a typical service': [
    'x-common: &common',
    '  restart: ${RESTART:-always}',
    '  logging:',
    '    driver: json-file',
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
    '    volumes:',
    '      - data:/data',
    'volumes:',
    '  data: {}',
    '',
  ].join('\n'),
};

/** Sources it leaves to the next reader. */
const otherCases: Record<string, string> = {
  'a tab': 'a:\n\tb: 1\n',
  'a CR': 'a: 1\r\nb: 2\r\n',
  'non-ASCII text': 'a: café\n',
  'a byte order mark': '\ufeffa: 1\n',
  'a tag': 'a: !reset []\n',
  'a block scalar': 'a: |\n  x\n',
  'a multi-line plain scalar': 'a: one\n  two\n',
  'a flow collection over lines': 'a: [1,\n  2]\n',
  'a flow mapping with entries': 'a: {b: 1}\n',
  'a nested flow sequence': 'a: [[1]]\n',
  'escapes in double quotes': 'a: "x\\ny"\n',
  'a quoted key': '"a": 1\n',
  'a key that is not a string': '1: a\n',
  'a duplicate key': 'a: 1\na: 2\n',
  'an empty sequence entry': 'a:\n  -\n  - b\n',
  'a nested sequence in an entry': 'a:\n  - - 1\n',
  'an anchor on a scalar': 'a: &x 1\nb: *x\n',
  'an unknown alias': 'a: *nothing\n',
  'a document marker': '---\na: 1\n',
  'a document that is a sequence': '- a\n',
  'an empty document': '# nothing\n',
  'an indented document': '  a: 1\n',
  'a value after a key on its own line': 'a:\n  value\n',
  'a mapping value on the key line': 'a: b: c\n',
  'a misindented key': 'a:\n    b: 1\n  c: 2\n',
  'two merge keys': 'x: &c\n  a: 1\ny:\n  <<: *c\n  <<: *c\n',
  'a merge of a sequence of aliases': 'x: &c\n  a: 1\ny:\n  <<: [*c]\n',
};

describe('block reader', () => {
  it.each(Object.entries(blockCases))('reads %s as the yaml package does', (_, src) => {
    expect(readsBlock(src)).toBe(true);
    expect(block(src)).toEqual(truth(src));
  });

  it.each(Object.entries(otherCases))('leaves %s to the next reader', (_, src) => {
    expect(readsBlock(src)).toBe(false);
    // The parse stage still reads it, as the yaml package does.
    let viaStage: unknown;
    try {
      viaStage = show(parseYaml(src, 'c.yaml').tree);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      viaStage = e.diagnostics.map((d) => `${at(d.pos)} ${d.path} ${d.message}`);
    }
    expect(viaStage).toEqual(truth(src));
  });

  it('gives each alias its own copy of the anchored mapping', () => {
    const r = readBlockYaml('x: &c\n  a: [1]\ny: *c\nz:\n  <<: *c\n', posAt('x: &c\n  a: [1]\ny: *c\nz:\n  <<: *c\n'));
    const tree = r?.value as { x: { a: unknown }; y: { a: unknown }; z: { a: unknown } };
    expect(tree.y).toEqual(tree.x);
    expect(tree.y).not.toBe(tree.x);
    expect(tree.z.a).not.toBe(tree.x.a);
  });

  it('reads every conformance corpus file it reads as the yaml package does', () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(e.name)) files.push(p);
      }
    };
    walk(CONFORMANCE);
    let read = 0;
    for (const f of files) {
      const src = fs.readFileSync(f, 'utf8');
      const mine = block(src);
      if (mine === undefined) continue;
      read++;
      expect([f, mine]).toEqual([f, truth(src)]);
    }
    // Most Compose files are plain block YAML.
    expect(read).toBeGreaterThan(files.length / 2);
  });

  it('reads generated documents it reads as the yaml package does', () => {
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];
    const scalars = ['a', 'b c', '1', '0440', '-1', '1.5', 'true', 'null', '~', 'x:y', 'a#b', '"q"', "'it''s'", '""', '[a, "b", 1]', '[]', '{}', '${A:-b}', '-x', 'a # c'];
    const keys = ['a', 'b', 'c.d', 'e-f', 'key with space', 'constructor'];
    let anchors: string[] = [];
    const map = (indent: number, depth: number): string[] => {
      const out: string[] = [];
      const used = new Set<string>();
      for (let i = 1 + rnd(3); i > 0; i--) {
        if (rnd(6) === 0) out.push(`${' '.repeat(rnd(5))}# c`);
        if (anchors.length > 0 && !used.has('<<') && rnd(8) === 0) {
          used.add('<<');
          out.push(`${' '.repeat(indent)}<<: *${pick(anchors)}`);
          continue;
        }
        const k = pick(keys);
        if (used.has(k)) continue;
        used.add(k);
        const r = rnd(10);
        if (depth > 2 || r < 5) out.push(`${' '.repeat(indent)}${k}: ${pick(scalars)}`);
        else if (r < 8) {
          const anchor = rnd(4) === 0 ? `a${anchors.length}` : undefined;
          out.push(`${' '.repeat(indent)}${k}:${anchor ? ` &${anchor}` : ''}`, ...map(indent + pick([1, 2, 4]), depth + 1));
          if (anchor) anchors.push(anchor);
        } else {
          const at = indent + (rnd(3) === 0 ? 0 : 2);
          out.push(`${' '.repeat(indent)}${k}:`);
          for (let j = 1 + rnd(3); j > 0; j--) {
            if (rnd(3) === 0) {
              const m = map(at + 2, depth + 1);
              out.push(`${' '.repeat(at)}- ${m[0].trimStart()}`, ...m.slice(1));
            } else out.push(`${' '.repeat(at)}- ${pick(scalars)}`);
          }
        }
      }
      return out;
    };
    let read = 0;
    for (let i = 0; i < 1500; i++) {
      anchors = [];
      let src = `${map(0, 0).join('\n')}\n`;
      // Now and then a small slip, which the reader must read right or leave alone.
      if (rnd(3) === 0) {
        const p = rnd(src.length);
        src = src.slice(0, p) + pick([' ', '\n', ':', '-', '#', '']) + src.slice(p + rnd(2));
      }
      const mine = block(src);
      if (mine === undefined) continue;
      read++;
      expect([src, mine]).toEqual([src, truth(src)]);
    }
    expect(read).toBeGreaterThan(300);
  });
});
