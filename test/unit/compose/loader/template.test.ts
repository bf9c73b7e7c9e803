import { expandTemplate, hasVariables, TemplateError, templateVariables } from '../../../../src/compose/loader/template';

const env: Record<string, string> = { FOO: 'first', BAR: '' };
const lookup = (name: string): string | undefined => env[name];
const expand = (text: string): string => expandTemplate(text, lookup).value;

function errorOf(text: string): TemplateError {
  try {
    expandTemplate(text, lookup);
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe('expandTemplate', () => {
  it('substitutes $VAR and ${VAR}, unset or empty giving an empty string', () => {
    expect(expand('This $FOO var')).toBe('This first var');
    expect(expand('This ${FOO} var')).toBe('This first var');
    expect(expand('This ${missing} var')).toBe('This  var');
    expect(expand('This ${BAR} var')).toBe('This  var');
    expect(expand('$FOO-bar')).toBe('first-bar');
    expect(expand('$FOO_x')).toBe('');
    expect(expand('${FOO}_x')).toBe('first_x');
  });

  it('reads $$ as a literal $ and keeps a $ that starts no reference', () => {
    expect(expand('$${foo}')).toBe('${foo}');
    expect(expand('$$FOO')).toBe('$FOO');
    expect(expand('$$$FOO')).toBe('$first');
    for (const literal of ['a $ string', '^REGEX$', '$}', '$', '$1', 'cost: 5$']) expect(expand(literal)).toBe(literal);
    expect(expand('no template')).toBe('no template');
  });

  it('applies :- and - defaults (unset or empty / unset only)', () => {
    expect(expand('ok ${missing:-def}')).toBe('ok def');
    expect(expand('ok ${missing-def}')).toBe('ok def');
    expect(expand('ok ${BAR:-def}')).toBe('ok def');
    expect(expand('ok ${BAR-def}')).toBe('ok ');
    expect(expand('ok ${FOO:-def}')).toBe('ok first');
    expect(expand('ok ${BAR:-/non:-alphanumeric}')).toBe('ok /non:-alphanumeric');
    expect(expand('${UNSET_VAR-myerror?msg}')).toBe('myerror?msg');
    expect(expand('${missing-}x')).toBe('x');
  });

  it('applies :+ and + alternates (set and non-empty / set)', () => {
    expect(expand('ok ${UNSET_VAR:+presence}')).toBe('ok ');
    expect(expand('ok ${UNSET_VAR+presence}')).toBe('ok ');
    expect(expand('ok ${FOO:+presence}')).toBe('ok presence');
    expect(expand('ok ${FOO+presence}')).toBe('ok presence');
    expect(expand('ok ${BAR+presence}')).toBe('ok presence');
    expect(expand('ok ${BAR:+presence}')).toBe('ok ');
  });

  it('passes :? and ? when the variable qualifies', () => {
    expect(expand('ok ${FOO:?err}')).toBe('ok first');
    expect(expand('ok ${FOO?err}')).toBe('ok first');
    expect(expand('ok ${BAR?err}')).toBe('ok ');
  });

  it('expands nested templates in defaults, alternates and error texts', () => {
    expect(expand('ok ${UNSET_VAR-$FOO}')).toBe('ok first');
    expect(expand('ok ${UNSET_VAR-${FOO}}')).toBe('ok first');
    expect(expand('ok ${UNSET_VAR-${FOO} ${FOO}}')).toBe('ok first first');
    expect(expand('ok ${BAR:-${FOO}}')).toBe('ok first');
    expect(expand('ok ${BAR+$FOO ${FOO:+second}}')).toBe('ok first second');
    expect(expand('${A:-${B:-x}}')).toBe('x');
    expect(expand('${A:-${B:-${FOO}}}/tail')).toBe('first/tail');
    expect(expand('+ok ${UNSET:-${BAR-defaultValue}}')).toBe('+ok ');
    expect(expand('${A:-{x}}')).toBe('{x}');
    expect(expand('${A:-$${B}}')).toBe('${B}');
    expect(errorOf('not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}').message).toBe(
      'required variable UNSET_VAR is missing a value: Mandatory Variable first',
    );
  });

  it('does not evaluate a default that is not used', () => {
    expect(expand('${FOO:-${NEEDED:?never}}')).toBe('first');
  });

  it('reports a missing required variable with its name, reason and offset', () => {
    const cases: Array<[string, string, number]> = [
      ['not ok ${UNSET_VAR:?Mandatory Variable Unset}', 'required variable UNSET_VAR is missing a value: Mandatory Variable Unset', 7],
      ['not ok ${BAR:?Mandatory Variable Empty}', 'required variable BAR is missing a value: Mandatory Variable Empty', 7],
      ['${UNSET_VAR:?}', 'required variable UNSET_VAR is missing a value', 0],
      ['x${UNSET_VAR?bar-baz}', 'required variable UNSET_VAR is missing a value: bar-baz', 1],
      ['${UNSET_VAR?}', 'required variable UNSET_VAR is missing a value', 0],
    ];
    for (const [text, message, offset] of cases) {
      const e = errorOf(text);
      expect([e.message, e.offset, e.kind, e.variable]).toEqual([message, offset, 'required', text.match(/\{(\w+)/)![1]]);
    }
  });

  it('rejects malformed braces, pointing at their $', () => {
    const cases: Array<[string, number]> = [
      ['${', 0],
      ['${}', 0],
      ['${ }', 0],
      ['${ foo}', 0],
      ['${foo }', 0],
      ['${foo!}', 0],
      ['${foo:x}', 0],
      ['abc ${VAR', 4],
      ['${A:-${B}', 0],
      ['${A:-${1}}', 5],
      ['$FOO ${FOO', 5],
    ];
    for (const [text, offset] of cases) {
      const e = errorOf(text);
      expect([text, e.kind, e.offset]).toEqual([text, 'syntax', offset]);
      expect(e.message).toMatch(/^invalid interpolation format "/);
    }
    expect(errorOf('image: ${VAR').message).toMatch(/^invalid interpolation format "\$\{VAR": missing closing "\}"/);
  });

  it('records each evaluated reference: operator, set, value, default used, offset', () => {
    const { uses } = expandTemplate('a $FOO ${BAR:-d} ${NOPE} ${FOO:+alt} ${NOPE-${FOO}}', lookup);
    const byOffset = [...uses].sort((x, y) => x.offset - y.offset);
    expect(byOffset).toEqual([
      { name: 'FOO', operator: '', set: true, value: 'first', usedDefault: false, offset: 2 },
      { name: 'BAR', operator: ':-', argument: 'd', set: true, value: 'd', usedDefault: true, offset: 7 },
      { name: 'NOPE', operator: '', set: false, value: '', usedDefault: false, offset: 17 },
      { name: 'FOO', operator: ':+', argument: 'alt', set: true, value: 'alt', usedDefault: true, offset: 25 },
      { name: 'NOPE', operator: '-', argument: '${FOO}', set: false, value: 'first', usedDefault: true, offset: 37 },
      { name: 'FOO', operator: '', set: true, value: 'first', usedDefault: false, offset: 44 },
    ]);
  });

  it('lists every referenced variable, nested ones included, without evaluating', () => {
    expect(templateVariables('$docker:${project:-cli} ${A:-${B:?x}} $$C').map((v) => [v.name, v.operator, v.argument])).toEqual([
      ['docker', '', undefined],
      ['project', ':-', 'cli'],
      ['A', ':-', '${B:?x}'],
      ['B', ':?', 'x'],
    ]);
    expect(hasVariables('$$only')).toBe(false);
    expect(hasVariables('a ${B}')).toBe(true);
  });

  it('reads simple templates (read on a fast path) exactly as the full parser does', () => {
    // A leading `$$` sends a template to the full parser: it must then read the same, two characters on.
    const vars: Record<string, string> = { SET: 'value', EMPTY: '' };
    const look = (n: string): string | undefined => vars[n];
    const pieces = ['', 'a', 'x y', '/path:', '}', '{', ':', '-', '$', '$$', '${SET}', '${UNSET}', '${EMPTY:-d}', '${SET:-d}', '${UNSET-}', '${SET:+alt}', '${UNSET+a b}', '${EMPTY?e}', '${SET:?msg}', '${_x9}', '${SET:-{x}}', '${A:-${SET}}', '${9}', '${SET:x}', '$SET', '${'];
    let seed = 11;
    const rnd = (n: number): number => {
      seed = (seed * 16807) % 2147483647;
      return seed % n;
    };
    const outcome = (t: string, shift: number): unknown => {
      try {
        const { value, uses } = expandTemplate(t, look);
        return { value: shift ? value.slice(1) : value, uses: uses.map((u) => ({ ...u, offset: u.offset - shift })) };
      } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        return { error: e.kind, offset: e.offset - shift, variable: e.variable };
      }
    };
    for (let i = 0; i < 3000; i++) {
      const t = Array.from({ length: 1 + rnd(4) }, () => pieces[rnd(pieces.length)]).join('');
      expect([t, outcome(t, 0)]).toEqual([t, outcome(`$$${t}`, 2)]);
      let fast: unknown;
      let full: unknown;
      try {
        fast = templateVariables(t);
      } catch (e) {
        fast = (e as TemplateError).kind;
      }
      try {
        full = templateVariables(`$$${t}`).map((v) => ({ ...v, offset: v.offset - 2 }));
      } catch (e) {
        full = (e as TemplateError).kind;
      }
      expect([t, fast]).toEqual([t, full]);
    }
  });
});
