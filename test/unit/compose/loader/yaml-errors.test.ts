import { parseYaml } from '../../../../src/compose/loader/parse';
import { formatDiagnostic, ValidationError } from '../../../../src/compose/errors';

function errorsOf(src: string): string[] {
  try {
    parseYaml(src, 'c.yaml');
  } catch (e) {
    if (e instanceof ValidationError) return e.diagnostics.map(formatDiagnostic);
    throw e;
  }
  return [];
}

describe('YAML syntax errors', () => {
  it('name the key path of a duplicate key, at any depth', () => {
    expect(errorsOf('services:\n  web:\n    image: a\n    image: b\n')).toEqual([
      'c.yaml:4:5  services.web.image  duplicate key "image": each key may appear only once in a mapping',
    ]);
    expect(errorsOf('services: {}\nservices: {}\n')).toEqual(['c.yaml:2:1  services  duplicate key "services": each key may appear only once in a mapping']);
  });

  it('point at the bracket that is never closed, not where the parser noticed', () => {
    expect(errorsOf('services:\n  web:\n    ports: ["80:80", "443:443"\n  db:\n    image: x\n')).toEqual([
      'c.yaml:3:12  invalid YAML: this flow sequence is never closed with "]"',
    ]);
    expect(errorsOf('services:\n  web: {image: "a{b", ports: ["1:1"]\n  db: {}\n')).toEqual([
      'c.yaml:2:8  invalid YAML: this flow mapping is never closed with "}"',
    ]);
  });

  it('point at the over-indented line', () => {
    expect(errorsOf('services:\n  web:\n    image: nginx\n      ports: ["80:80"]\n')).toEqual([
      'c.yaml:4:7  invalid YAML: this line is indented deeper than the key above it',
    ]);
  });
});
