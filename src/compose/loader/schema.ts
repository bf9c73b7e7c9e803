/**
 * Stage: check one file's tree against the Compose JSON Schema
 * (`schemas/compose-spec.json`, written from the specification), reporting
 * every problem at once, each at the key or value that is wrong.
 *
 * The schema sees a plain copy of the tree: origins stripped, and entries
 * tagged `!reset` left out (they remove a value in the merge stage; they are
 * not values of their own). Positions come from the original tree.
 */
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import type { Options, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../errors';
import { explainSchemaErrors, type SchemaNode } from './schema-errors';
import { isList, isMap, originOf, type Node, type TreeMap } from './tree';

/** Where the schema lives: `schemas/` at the package root (from src/ and from dist/ alike). */
export const COMPOSE_SCHEMA_FILE = path.resolve(__dirname, '../../../schemas/compose-spec.json');

/**
 * The validator compiled ahead of time: `npm run build` writes it beside this module in
 * dist/ (scripts/build-schema-validator.js). Compiling at run time takes ~0.3 s; loading
 * this takes ~15 ms. Used only when it was made from the schema file as it is now.
 */
export const PRECOMPILED_VALIDATOR_FILE = path.join(__dirname, 'compose-schema.validator.js');

/** Strict mode: a mistake in our own schema fails loudly. */
const ajvOptions: Options = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true };

interface Compiled {
  readonly validate: ValidateFunction;
  readonly schema: SchemaNode;
}

let compiled: Compiled | undefined;

/** Made once, on first use: loaded when `npm run build` compiled it, compiled otherwise. */
function composeValidator(): Compiled {
  if (!compiled) {
    const text = fs.readFileSync(COMPOSE_SCHEMA_FILE, 'utf8');
    const schema = JSON.parse(text) as SchemaNode;
    compiled = { validate: precompiledValidator(text) ?? newAjv(ajvOptions).compile(schema), schema };
  }
  return compiled;
}

/** ajv, loaded only when the schema is compiled here (it takes ~60 ms to load). */
function newAjv(options: Options): import('ajv').default {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  return new Ajv(options);
}

/** The precompiled validator for this schema text, if there is one (it records the text it was made from). */
function precompiledValidator(schemaText: string): ValidateFunction | undefined {
  let source: string;
  try {
    source = fs.readFileSync(PRECOMPILED_VALIDATOR_FILE, 'utf8');
  } catch {
    return undefined;
  }
  const id = buildIdOf(source);
  let cachedData: Buffer | undefined;
  if (id !== undefined) {
    try {
      cachedData = fs.readFileSync(codeCacheFile(id));
    } catch {
      cachedData = undefined;
    }
  }
  let mod: ValidatorModule;
  try {
    mod = runValidatorModule(source, cachedData).exports;
  } catch {
    return undefined;
  }
  return mod.schemaSource === schemaText && typeof mod.default === 'function' ? (mod.default as ValidateFunction) : undefined;
}

/** What the precompiled module exports. */
export interface ValidatorModule {
  readonly default?: unknown;
  readonly schemaSource?: unknown;
}

/**
 * Runs the precompiled module's source as `require` would (CommonJS, resolving
 * from its place in dist/), with V8's code cache for it when given: the cache
 * `npm run build` made after validating sample files holds the compiled
 * validator functions too, which then need not be compiled again at run time.
 */
export function runValidatorModule(source: string, cachedData?: Buffer): { exports: ValidatorModule; script: vm.Script } {
  const script = new vm.Script(Module.wrap(source), { filename: PRECOMPILED_VALIDATOR_FILE, cachedData });
  const mod = { exports: {} as ValidatorModule };
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  run(mod.exports, Module.createRequire(PRECOMPILED_VALIDATOR_FILE), mod, PRECOMPILED_VALIDATOR_FILE, path.dirname(PRECOMPILED_VALIDATOR_FILE));
  return { exports: mod.exports, script };
}

/** The id in the precompiled module's first line (`// build <id>`): its code cache is named after it. */
export function buildIdOf(source: string): string | undefined {
  return /^\/\/ build ([0-9a-f]+)\n/.exec(source)?.[1];
}

/**
 * Where the code cache of the precompiled module with this build id is: a cache
 * only ever meets the source it was made from (V8 checks little more than the length).
 */
export function codeCacheFile(buildId: string): string {
  return path.join(path.dirname(PRECOMPILED_VALIDATOR_FILE), `compose-schema.validator.${buildId}.cache`);
}

/**
 * The source of a CommonJS module exporting the validator of `schemaText`, compiled
 * with the options used at run time (ajv's standalone code), and that text itself
 * (the module is used only with the schema it was made from). Its first line holds
 * a build id: a hash of the rest.
 */
export function standaloneValidatorSource(schemaText: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
  const ajv = newAjv({ ...ajvOptions, code: { source: true } });
  const validate = ajv.compile(JSON.parse(schemaText) as SchemaNode);
  const body =
    `// Generated by scripts/build-schema-validator.js from schemas/compose-spec.json: do not edit.\n` +
    `${standaloneCode(ajv, validate)}\nmodule.exports.schemaSource = ${JSON.stringify(schemaText)};\n`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const id = (require('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(body).digest('hex').slice(0, 16);
  return `// build ${id}\n${body}`;
}

export interface SchemaHints {
  /**
   * False when the file's text holds no `!` at all: then no entry can be tagged
   * `!reset`, and the tree is validated as it is without looking for one.
   */
  readonly mayHaveTags?: boolean;
}

export function validateSchema(tree: TreeMap, hints: SchemaHints = {}): Diagnostic[] {
  const { validate, schema } = composeValidator();
  // ajv reads maps with `for…in` and Object.keys, which skip the origin symbol: the tree
  // itself validates as its plain copy would, unless `!reset` entries must be left out.
  const plain = hints.mayHaveTags !== false && hasResetEntries(tree) ? schemaInput(tree) : tree;
  if (validate(plain)) return [];
  return explainSchemaErrors(validate.errors ?? [], { tree, plain, schema });
}

/** The plain value the schema validates: no origins, no `!reset` entries. */
export function schemaInput(tree: TreeMap): TreeMap {
  return plainCopy(tree) as TreeMap;
}

function plainCopy(n: Node): Node {
  if (isList(n)) return n.map(plainCopy);
  if (isMap(n)) {
    const tags = originOf(n)?.tags ?? {};
    const out: TreeMap = {};
    for (const k of Object.keys(n)) {
      if (tags[k] === 'reset') continue;
      out[k] = plainCopy(n[k]);
    }
    return out;
  }
  return n;
}

function hasResetEntries(n: Node): boolean {
  if (typeof n !== 'object' || n === null) return false;
  if (Array.isArray(n)) {
    for (let i = 0; i < n.length; i++) if (hasResetEntries(n[i])) return true;
    return false;
  }
  const tags = originOf(n)?.tags;
  if (tags) for (const k in tags) if (tags[k] === 'reset') return true;
  for (const k in n) if (hasResetEntries(n[k])) return true;
  return false;
}
