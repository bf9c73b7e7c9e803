/**
 * Turns ajv's errors into diagnostics a person understands: one per key path,
 * placed at the offending key or value, with the noise of `oneOf`/`anyOf`
 * collapsed into the single message that helps.
 *
 * ajv (with `allErrors`) reports every branch of every `oneOf`/`anyOf` that
 * failed. The rule used here: if anything under a path, or the content of the
 * mapping or list at that path, was found wrong, some branch accepted the
 * value's shape, and the branches that did not ("must be string", "must be
 * array") are noise there. If only shape errors remain at a path, they are
 * described together from the branches of the outermost combinator:
 * "must be a number, a string or a port mapping (got a boolean)".
 */
import type { ErrorObject } from 'ajv';
import { diagnostic, type Diagnostic } from '../errors';
import { closestMatch } from './suggest';
import { formatPath, locate, type PathSegment, type TreeMap } from './tree';

/** The part of a JSON Schema this module reads. */
export interface SchemaNode {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly pattern?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly patternProperties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly oneOf?: readonly SchemaNode[];
  readonly anyOf?: readonly SchemaNode[];
  readonly definitions?: Readonly<Record<string, SchemaNode>>;
}

export interface SchemaErrorContext {
  /** The tree as parsed, with origins: positions come from here. */
  readonly tree: TreeMap;
  /** The plain copy that was validated: list indexes are told from map keys with it. */
  readonly plain: unknown;
  /** The root schema, to follow `$ref`s. */
  readonly schema: SchemaNode;
}

/** Nouns for the definitions a message may name, instead of "a mapping". */
const definitionNouns: Readonly<Record<string, string>> = {
  port: 'a port mapping',
  service_volume: 'a mount mapping',
  service_hook: 'a hook mapping',
  extends: 'a mapping {service, file}',
};

/** What a `pattern` asks for, in words; null: an escape hatch not worth naming (`${VAR}`). */
const patternWords: Readonly<Record<string, string | null>> = {
  '\\$': null,
  '^[a-zA-Z0-9._-]+$': 'a name of letters, digits, ".", "_" and "-"',
  '^[a-zA-Z0-9][a-zA-Z0-9_.-]+$': 'a name of letters, digits, "_", "." and "-", starting with a letter or digit',
  '^every_([0-9]+(w|d|h|m|s))+$': 'every_<duration> (e.g. every_12h)',
  '^on-failure:[0-9]+$': 'on-failure:<max-retries>',
  '^[a-z]+$': 'only lowercase letters',
  '.+': 'not empty',
  '^.+$': 'not empty',
};

/** The rule for the names in a user-defined map, by its pattern. */
const nameRules: Readonly<Record<string, string>> = {
  '^[a-zA-Z0-9._-]+$': 'use only letters, digits, ".", "_" and "-"',
  '^[a-z]+$': 'use the lowercase name of the limit (e.g. nofile, nproc)',
  '.+': 'it must not be empty',
  '^.+$': 'it must not be empty',
};

/** What the names in a user-defined map are, by the key holding the map. */
const nameNouns: Readonly<Record<string, string>> = {
  services: 'service name',
  networks: 'network name',
  volumes: 'volume name',
  secrets: 'secret name',
  configs: 'config name',
  models: 'model name',
  depends_on: 'service name',
  ulimits: 'ulimit name',
};

const SHAPE = new Set(['type', 'enum', 'const', 'pattern', 'oneOf', 'anyOf', 'format']);
const COMBINATOR = new Set(['oneOf', 'anyOf']);

interface Finding {
  readonly path: PathSegment[];
  readonly which: 'key' | 'value';
  readonly message: string;
  /** Lower wins when two findings share a path. */
  readonly rank: number;
}

export function explainSchemaErrors(errors: readonly ErrorObject[], ctx: SchemaErrorContext): Diagnostic[] {
  const byPointer = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const list = byPointer.get(e.instancePath) ?? [];
    list.push(e);
    byPointer.set(e.instancePath, list);
  }
  const pointers = [...byPointer.keys()];
  const findings: Finding[] = [];

  for (const [pointer, errs] of byPointer) {
    const path = pointerToPath(pointer, ctx.plain);
    const content = errs.filter((e) => !SHAPE.has(e.keyword));
    const shape = errs.filter((e) => SHAPE.has(e.keyword));
    for (const f of contentFindings(path, content, ctx)) findings.push(f);
    if (shape.length === 0) continue;
    // Something under this path, or this value's own content, was judged: its shape was fine for some branch.
    const judgedDeeper = content.length > 0 || pointers.some((p) => p.startsWith(pointer + '/'));
    if (judgedDeeper) continue;
    // An empty value has no text of its own: point at its key.
    const which = shape[0].data === null ? 'key' : 'value';
    findings.push({ path, which, message: shapeMessage(shape, ctx.schema), rank: 3 });
  }

  const chosen = new Map<string, Finding>();
  for (const f of findings) {
    const key = formatPath(f.path);
    const seen = chosen.get(key);
    if (!seen || f.rank < seen.rank) chosen.set(key, f);
  }
  const diagnostics = [...chosen.values()].map((f) => diagnostic(locate(ctx.tree, f.path, f.which), f.path, f.message));
  return diagnostics.sort(byPosition);
}

function contentFindings(path: PathSegment[], errs: readonly ErrorObject[], ctx: SchemaErrorContext): Finding[] {
  const out: Finding[] = [];
  const missing: string[] = [];
  for (const e of errs) {
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(e.params.additionalProperty);
        out.push({ path: [...path, key], which: 'key', message: unknownKeyMessage(key, path, e.parentSchema as SchemaNode | undefined), rank: 0 });
        break;
      }
      case 'required':
        missing.push(String(e.params.missingProperty));
        break;
      case 'uniqueItems': {
        const i = Number(e.params.i);
        const j = Number(e.params.j);
        out.push({ path: [...path, Math.max(i, j)], which: 'value', message: `duplicate item: the same as [${Math.min(i, j)}]`, rank: 2 });
        break;
      }
      case 'minimum':
      case 'exclusiveMinimum':
        out.push({ path, which: 'value', message: `must be at least ${String(e.params.limit)} (got ${String(e.data)})`, rank: 2 });
        break;
      case 'maximum':
      case 'exclusiveMaximum':
        out.push({ path, which: 'value', message: `must be at most ${String(e.params.limit)} (got ${String(e.data)})`, rank: 2 });
        break;
      default:
        out.push({ path, which: 'value', message: e.message ?? `is invalid (${e.keyword})`, rank: 2 });
    }
  }
  if (missing.length > 0) {
    const names = [...new Set(missing)].map((m) => JSON.stringify(m));
    const message = names.length === 1 ? `missing required key ${names[0]}` : `missing required keys ${joinWords(names, 'and')}`;
    out.push({ path, which: 'key', message, rank: 1 });
  }
  return out;
}

function unknownKeyMessage(key: string, path: readonly PathSegment[], parent: SchemaNode | undefined): string {
  const allowed = Object.keys(parent?.properties ?? {});
  if (allowed.length === 0) {
    // A map of user-chosen names (services, networks, ulimits …): the name itself is malformed.
    const holder = path[path.length - 1];
    const noun = (typeof holder === 'string' && nameNouns[holder]) || 'key';
    const rule = Object.keys(parent?.patternProperties ?? {}).find((p) => p !== '^x-');
    const words = rule === undefined ? undefined : nameRules[rule] ?? `it must match ${rule}`;
    return `invalid ${noun} ${JSON.stringify(key)}` + (words ? `: ${words}` : '');
  }
  const suggestion = closestMatch(key, allowed);
  if (suggestion !== undefined) return `unknown key ${JSON.stringify(key)} — did you mean ${JSON.stringify(suggestion)}?`;
  if (allowed.length <= 8) return `unknown key ${JSON.stringify(key)} (expected ${joinWords(allowed.map((a) => JSON.stringify(a)), 'or')}, or an x- extension)`;
  return `unknown key ${JSON.stringify(key)} (extension keys must start with "x-")`;
}

/** One message for the shape errors at one path (no other errors there or below). */
function shapeMessage(errs: readonly ErrorObject[], root: SchemaNode): string {
  const combinators = errs.filter((e) => COMBINATOR.has(e.keyword));
  // ajv reports a combinator after its branches: the last one at a path is the outermost.
  const outer = combinators[combinators.length - 1];
  if (outer && outer.keyword === 'oneOf' && Array.isArray(outer.params.passingSchemas)) {
    return 'matches more than one of the forms allowed here; make it unambiguous';
  }
  const data = errs[0].data;
  const branches = outer ? ((outer.schema as SchemaNode[] | undefined) ?? []) : [];
  const expected = outer ? branches.flatMap((b) => expectations(b, root, new Set())) : errs.flatMap((e) => expectationsOfError(e));
  return mustBe(expected, data);
}

type Expectation = { readonly value: unknown } | { readonly noun: string };

function expectationsOfError(e: ErrorObject): Expectation[] {
  switch (e.keyword) {
    case 'type':
      return typeNames(e.params.type).map((t) => ({ noun: typeNoun(t) }));
    case 'enum':
      return ((e.params.allowedValues as unknown[]) ?? []).map((value) => ({ value }));
    case 'const':
      return [{ value: e.params.allowedValue }];
    case 'pattern': {
      const words = patternWords[String(e.params.pattern)];
      return words === null ? [] : [{ noun: words ?? `a string matching ${String(e.params.pattern)}` }];
    }
    default:
      return [{ noun: e.message ?? e.keyword }];
  }
}

/** What a schema accepts, as words, following `$ref`s. */
function expectations(s: SchemaNode, root: SchemaNode, seen: Set<string>): Expectation[] {
  let node = s;
  let defName: string | undefined;
  while (node.$ref !== undefined) {
    const ref: string = node.$ref;
    if (seen.has(ref)) return [];
    seen.add(ref);
    defName = ref.replace(/^#\/definitions\//, '');
    const target: SchemaNode | undefined = root.definitions?.[defName];
    if (!target) return [];
    node = target;
  }
  const branches = node.oneOf ?? node.anyOf;
  if (branches) return branches.flatMap((b) => expectations(b, root, seen));
  if (node.enum) return node.enum.map((value) => ({ value }));
  if (node.const !== undefined) return [{ value: node.const }];
  if (node.pattern !== undefined) {
    const words = patternWords[node.pattern];
    return words === null ? [] : [{ noun: words ?? `a string matching ${node.pattern}` }];
  }
  const types = node.type !== undefined ? typeNames(node.type) : node.properties || node.patternProperties ? ['object'] : [];
  return types.map((t) => {
    if (t === 'object' && defName && definitionNouns[defName]) return { noun: definitionNouns[defName] };
    if (t === 'array' && node.items && !node.items.$ref && node.items.type === 'string') return { noun: 'a list of strings' };
    return { noun: typeNoun(t) };
  });
}

function mustBe(expected: readonly Expectation[], data: unknown): string {
  const values: string[] = [];
  const nouns: string[] = [];
  for (const x of expected) {
    if ('value' in x) {
      const v = typeof x.value === 'string' ? x.value : JSON.stringify(x.value);
      if (!values.includes(v)) values.push(v);
    } else if (!nouns.includes(x.noun)) {
      nouns.push(x.noun);
    }
  }
  // "empty" reads best last: "a string, a list of strings or empty".
  if (nouns.includes('empty')) nouns.push(...nouns.splice(nouns.indexOf('empty'), 1));
  // A number where an integer is wanted is still "a number": say which.
  const gotText = typeof data === 'number' && !Number.isInteger(data) && nouns.includes('an integer') ? String(data) : got(data, values.length > 0);
  if (nouns.length === 0 && values.length > 0) {
    return values.length === 1 ? `must be ${JSON.stringify(values[0])} (got ${gotText})` : `must be one of: ${values.join(', ')} (got ${gotText})`;
  }
  const words = [...values.map((v) => JSON.stringify(v)), ...nouns];
  return `must be ${joinWords(words, 'or')} (got ${gotText})`;
}

/** What was found instead. A string is always quoted: if it was wrong, its text is why. */
function got(data: unknown, valuesExpected: boolean): string {
  if (data === null || data === undefined) return 'an empty value';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a mapping';
  if (typeof data === 'string') return JSON.stringify(data.length > 40 ? `${data.slice(0, 37)}...` : data);
  if (typeof data === 'boolean') return valuesExpected ? String(data) : 'a boolean';
  if (typeof data === 'number') return valuesExpected ? String(data) : 'a number';
  return typeof data;
}

function typeNames(t: unknown): string[] {
  if (Array.isArray(t)) return t.map(String);
  return String(t).split(',');
}

function typeNoun(t: string): string {
  switch (t) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'integer':
      return 'an integer';
    case 'null':
      return 'empty';
    default:
      return `a ${t}`;
  }
}

function joinWords(words: readonly string[], conj: string): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conj} ${words[words.length - 1]}`;
}

/** `/services/web/ports/1` → `['services', 'web', 'ports', 1]`, telling list indexes from map keys by the data. */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const i = Number(seg);
      out.push(i);
      node = node[i];
    } else {
      out.push(seg);
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function byPosition(a: Diagnostic, b: Diagnostic): number {
  if (a.pos && b.pos) return a.pos.line - b.pos.line || a.pos.col - b.pos.col || a.path.localeCompare(b.path);
  if (a.pos) return -1;
  if (b.pos) return 1;
  return a.path.localeCompare(b.path);
}
