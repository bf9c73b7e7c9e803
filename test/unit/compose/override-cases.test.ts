/**
 * compose-go's merge golden cases (override/*_test.go, extracted as
 * base.yaml + override.yaml → expected.yaml). The expected output is in
 * compose-go's canonical form, so the test compares meaning: base + override
 * loaded as two files and expected loaded as one, both through the whole
 * pipeline (`loadProject`), must give the same normalized model.
 *
 * The cases are fragments, not whole projects (services without image,
 * networks and secrets used but not declared): compose-go's merge tests skip
 * its consistency checks, so the loader is asked to skip the semantic checks
 * too (`checkSemantics: false`, the counterpart of compose-go's
 * SkipConsistencyCheck). Some cases use keys the Compose schema rejects
 * (`build.platform`, a ulimit with only `soft`, `models: {llm: null}`), and
 * compose-go's merge tests do not validate either, so the schema stage is
 * skipped as well (`validateSchema: false`, compose-go's SkipValidation):
 * what is tested here is the merge.
 *
 * Two of the cases name env files that the corpus does not ship; the file
 * system handed to the loader supplies them (each sets one variable named
 * after the file), so that the merged `env_file` list is still checked,
 * through the environment it produces.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic, ValidationError } from '../../../src/compose/errors';
import { loadProject, nodeFileSystem, type LoadOptions } from '../../../src/compose/loader/index';
import type { FileSystem } from '../../../src/compose/loader/files';
import { stripOrigins } from '../../../src/compose/loader/tree';
import { CONFORMANCE } from '../../shared';

const ROOT = path.join(CONFORMANCE, 'compose-go/extracted/override-cases');

const cases: Array<[string, string]> = fs
  .readdirSync(ROOT)
  .sort()
  .flatMap((group) =>
    fs
      .readdirSync(path.join(ROOT, group))
      .sort()
      .map((name): [string, string] => [`${group}/${name}`, path.join(ROOT, group, name)]),
  );

/** The real files, plus any missing `*.env` file of the case directory (`FOO_ENV=foo.env` for foo.env). */
function caseFileSystem(dir: string): FileSystem {
  const virtual = (p: string): string | undefined => {
    if (path.dirname(p) !== dir || !p.endsWith('.env') || nodeFileSystem.isFile(p)) return undefined;
    const base = path.basename(p);
    return `${base.replace(/\W/g, '_').toUpperCase()}=${base}\n`;
  };
  return {
    readFile: (p) => nodeFileSystem.readFile(p) ?? virtual(p),
    isFile: (p) => nodeFileSystem.isFile(p) || virtual(p) !== undefined,
  };
}

function load(dir: string, files: string[]): unknown {
  const opts: LoadOptions = {
    workingDir: dir,
    files,
    env: {},
    projectName: 'override-case',
    fs: caseFileSystem(dir),
    checkSemantics: false,
    validateSchema: false,
  };
  try {
    return stripOrigins(loadProject(opts).tree);
  } catch (e) {
    if (e instanceof ValidationError) return { error: e.diagnostics.map(formatDiagnostic).map((s) => s.replace(dir + '/', '')) };
    throw e;
  }
}

describe('compose-go merge golden cases', () => {
  it('finds all 60 cases', () => {
    expect(cases).toHaveLength(60);
  });

  it.each(cases)('%s', (_name, dir) => {
    const merged = load(dir, ['base.yaml', 'override.yaml']);
    const expected = load(dir, ['expected.yaml']);
    expect(merged).not.toHaveProperty('error');
    expect(merged).toEqual(expected);
  });
});
