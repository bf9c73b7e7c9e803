/**
 * Stage: check one file's tree against the Compose JSON Schema
 * (`schemas/compose-spec.json`, written from the specification), reporting
 * every problem at once, each at the key or value that is wrong.
 *
 * The schema sees a plain copy of the tree: origins stripped, and entries
 * tagged `!reset` left out (they remove a value in the merge stage; they are
 * not values of their own). Positions come from the original tree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import type { Diagnostic } from '../errors';
import { explainSchemaErrors, type SchemaNode } from './schema-errors';
import { isList, isMap, originOf, type Node, type TreeMap } from './tree';

/** Where the schema lives: `schemas/` at the package root (from src/ and from dist/ alike). */
export const COMPOSE_SCHEMA_FILE = path.resolve(__dirname, '../../../schemas/compose-spec.json');

interface Compiled {
  readonly validate: ValidateFunction;
  readonly schema: SchemaNode;
}

let compiled: Compiled | undefined;

/** Compiled once, on first use. Strict mode: a mistake in our own schema fails loudly. */
function composeValidator(): Compiled {
  if (!compiled) {
    const schema = JSON.parse(fs.readFileSync(COMPOSE_SCHEMA_FILE, 'utf8')) as SchemaNode;
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    compiled = { validate: ajv.compile(schema), schema };
  }
  return compiled;
}

export function validateSchema(tree: TreeMap): Diagnostic[] {
  const { validate, schema } = composeValidator();
  const plain = schemaInput(tree);
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
