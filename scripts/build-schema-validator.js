#!/usr/bin/env node
/**
 * Part of `npm run build` (after tsc): compiles the Compose JSON Schema validator ahead of
 * time into dist/compose/loader/compose-schema.validator.js (ajv standalone code), so that
 * the CLI does not compile the schema at every start. Without this file, or when the schema
 * changed since, the schema stage compiles at run time as before (tests from src/ do).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const schema = require(path.join(__dirname, '..', 'dist', 'compose', 'loader', 'schema.js'));
const text = fs.readFileSync(schema.COMPOSE_SCHEMA_FILE, 'utf8');
const out = schema.PRECOMPILED_VALIDATOR_FILE;
const tmp = `${out}.${process.pid}.tmp`;
fs.writeFileSync(tmp, schema.standaloneValidatorSource(text));
fs.renameSync(tmp, out);
process.stdout.write(`build-schema-validator: ${path.relative(process.cwd(), out)}\n`);
