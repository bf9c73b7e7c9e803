import { parseYaml } from '../../../../src/compose/loader/parse';
import { locate, originOf, stripOrigins } from '../../../../src/compose/loader/tree';
import { ValidationError } from '../../../../src/compose/errors';

function errorsOf(src: string): string[] {
  try {
    parseYaml(src, 'c.yaml');
  } catch (e) {
    if (e instanceof ValidationError) return e.diagnostics.map((d) => `${d.pos?.line}:${d.pos?.col} ${d.message}`);
    throw e;
  }
  return [];
}

describe('parse stage', () => {
  it('resolves anchors, aliases and merge keys, explicit keys winning', () => {
    const { tree } = parseYaml(
      ['x-base: &base', '  image: busybox', '  restart: always', 'services:', '  web:', '    <<: *base', '    image: nginx', ''].join('\n'),
      'c.yaml',
    );
    expect(stripOrigins(tree)).toEqual({
      'x-base': { image: 'busybox', restart: 'always' },
      services: { web: { image: 'nginx', restart: 'always' } },
    });
  });

  it('merges a list of mappings, earlier ones winning', () => {
    const { tree } = parseYaml(['a: &a {x: 1}', 'b: &b {x: 2, y: 2}', 'c:', '  <<: [*a, *b]', ''].join('\n'), 'c.yaml');
    expect(stripOrigins(tree).c).toEqual({ x: 1, y: 2 });
  });

  it('keeps the position of every key and value', () => {
    const { tree } = parseYaml(['services:', '  web:', '    ports:', '      - "80:80"', '      - 443', ''].join('\n'), 'c.yaml');
    expect(locate(tree, ['services', 'web', 'ports', 1])).toEqual({ file: 'c.yaml', line: 5, col: 9 });
    expect(locate(tree, ['services', 'web', 'ports'], 'key')).toEqual({ file: 'c.yaml', line: 3, col: 5 });
  });

  it('records !reset and !override for the merge stage', () => {
    const { tree } = parseYaml(['services:', '  web:', '    command: !reset []', '    ports: !override', '      - 80', ''].join('\n'), 'c.yaml');
    const web = (tree.services as Record<string, unknown>).web;
    expect(originOf(web)?.tags).toEqual({ command: 'reset', ports: 'override' });
    expect(stripOrigins(tree)).toEqual({ services: { web: { command: null, ports: [80] } } });
  });

  it('reads a plain leading-zero integer as octal, as Docker Compose does for file modes', () => {
    expect(stripOrigins(parseYaml('a: 0440\nb: "0440"\nc: 089\nd: 0\n', 'c.yaml').tree)).toEqual({ a: 288, b: '0440', c: 89, d: 0 });
  });

  it('turns every mapping key into a string', () => {
    const { tree } = parseYaml('services:\n  true:\n    image: x\n  1: {image: y}\n', 'c.yaml');
    expect(Object.keys(tree.services as object).sort()).toEqual(['1', 'true']);
  });

  it('reports duplicate keys and syntax errors with their place', () => {
    expect(errorsOf('services:\n  web: {}\n  web: {}\n')).toEqual(['3:3 duplicate key "web": each key may appear only once in a mapping']);
    expect(errorsOf('services:\n  web:\n\timage: x\n')[0]).toMatch(/^3:1 invalid YAML/);
    expect(errorsOf('a: *nothing\n')[0]).toMatch(/^1:4 /);
  });

  it('rejects a document that is not a mapping, and reads an empty one as {}', () => {
    expect(errorsOf('- a\n- b\n')[0]).toMatch(/must be a mapping/);
    expect(stripOrigins(parseYaml('# only a comment\n', 'c.yaml').tree)).toEqual({});
  });
});
