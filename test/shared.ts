/**
 * Where the workplace's shared material is (../shared next to the project: conformance
 * corpora, fixtures). CI may run from a clone elsewhere, so: TSCOMPOSE_SHARED, else
 * ../shared beside this checkout, else /work/shared.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function sharedDir(): string {
  const fromEnv = process.env.TSCOMPOSE_SHARED;
  if (fromEnv) return path.resolve(fromEnv);
  const beside = path.resolve(__dirname, '../../shared');
  return fs.existsSync(path.join(beside, 'conformance')) ? beside : '/work/shared';
}

export const SHARED = sharedDir();
export const CONFORMANCE = path.join(SHARED, 'conformance');
export const FIXTURES = path.join(SHARED, 'fixtures');
