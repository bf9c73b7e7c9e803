/**
 * Stage: the project name. Precedence (Docker Compose's): `-p`, then
 * `COMPOSE_PROJECT_NAME` (shell over .env), then the top-level `name:`, then
 * the project directory's base name, normalized.
 */
import path from 'node:path';
import { diagnostic, ValidationError } from '../errors';
import { keyPos, type TreeMap } from './tree';

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

export type ProjectNameSource = 'flag' | 'environment' | 'file' | 'directory';

export interface ProjectName {
  readonly name: string;
  readonly source: ProjectNameSource;
}

/** Lower-cases and drops what a project name may not contain (`My App!` → `myapp`). */
export function normalizeProjectName(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
}

export function resolveProjectName(input: {
  flag?: string;
  environment?: string;
  tree?: TreeMap;
  projectDir: string;
}): ProjectName {
  const explain = (value: string, where: string): string =>
    `invalid project name ${JSON.stringify(value)} (${where}): it must contain only lowercase letters, digits, dashes and underscores, and start with a letter or digit`;
  if (input.flag) {
    if (!VALID.test(input.flag)) throw new ValidationError([diagnostic(undefined, '', explain(input.flag, 'from -p'))]);
    return { name: input.flag, source: 'flag' };
  }
  if (input.environment) {
    if (!VALID.test(input.environment)) {
      throw new ValidationError([diagnostic(undefined, '', explain(input.environment, 'from COMPOSE_PROJECT_NAME'))]);
    }
    return { name: input.environment, source: 'environment' };
  }
  const fromFile = input.tree?.name;
  if (typeof fromFile === 'string' && fromFile !== '') {
    if (!VALID.test(fromFile)) {
      throw new ValidationError([diagnostic(keyPos(input.tree, 'name'), 'name', explain(fromFile, 'top-level name'))]);
    }
    return { name: fromFile, source: 'file' };
  }
  const fromDir = normalizeProjectName(path.basename(input.projectDir));
  if (fromDir === '') {
    throw new ValidationError([
      diagnostic(undefined, '', `cannot derive a project name from the directory ${input.projectDir}; set one with -p or a top-level name:`),
    ]);
  }
  return { name: fromDir, source: 'directory' };
}
