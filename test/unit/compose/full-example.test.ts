/**
 * compose-go's legacy golden test: the ~460-line full-example.yml, loaded with
 * HOME=<home>, BAR="this is a secret", QUX=qux_from_environment, must print
 * exactly expected-config.yaml.tmpl / expected-config.json.tmpl (with the
 * `%s` filled in per the *.args.txt files).
 *
 * compose-go's test loads with SkipConsistencyCheck (the file names services
 * and networks it does not define) and SkipNormalization (no default network,
 * no resource names), so this runs the pipeline with checkSemantics: false and
 * normalize: false (`config --no-consistency --no-normalize`). A second test
 * checks what normalization adds.
 *
 * The corpus is used in place: the compose file and the env/label files it
 * names are copied to a temporary directory, because the expected paths put
 * them side by side.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { canonicalConfig, renderConfig } from '../../../src/compose/canonical';
import { loadProject } from '../../../src/compose/loader';
import { stripOrigins } from '../../../src/compose/loader/tree';
import { CONFORMANCE } from '../../shared';

const CORPUS = path.join(CONFORMANCE, 'compose-go');
const LEGACY = path.join(CORPUS, 'legacy-full-example');

interface Setup {
  readonly dir: string;
  readonly home: string;
}

function setUp(): Setup {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-full-example-'));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-home-'));
  fs.copyFileSync(path.join(LEGACY, 'full-example.yml'), path.join(dir, 'full-example.yml'));
  for (const f of ['example1.env', 'example2.env', 'example1.label', 'example2.label']) {
    fs.copyFileSync(path.join(CORPUS, 'loader', f), path.join(dir, f));
  }
  return { dir, home };
}

function render(s: Setup, format: 'yaml' | 'json', implicitDefaults: boolean): string {
  const env = { HOME: s.home, BAR: 'this is a secret', QUX: 'qux_from_environment' };
  const loaded = loadProject({ workingDir: s.dir, files: ['full-example.yml'], env, normalize: implicitDefaults, checkSemantics: false });
  return renderConfig(canonicalConfig(stripOrigins(loaded.tree)), format);
}

/** The template with its `%s` filled in, in the order the args file lists them. */
function expected(s: Setup, format: 'yaml' | 'json'): string {
  const template = fs.readFileSync(path.join(LEGACY, `expected-config.${format}.tmpl`), 'utf8');
  const args = fs
    .readFileSync(path.join(LEGACY, `expected-config.${format}.tmpl.args.txt`), 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => {
      const m = /^(?:toPath|filepath\.Join)\((workingDir|homeDir)(?:, "([^"]+)")?\)/.exec(l) ?? /^(workingDir|homeDir),$/.exec(l);
      if (!m) throw new Error(`cannot read args line: ${l}`);
      const base = m[1] === 'workingDir' ? s.dir : s.home;
      return m[2] ? path.join(base, m[2]) : base;
    });
  expect(args.length).toBe((template.match(/%s/g) ?? []).length);
  let i = 0;
  return template.replace(/%s/g, () => args[i++]).replace(/\n*$/, '\n');
}

function differences(actualText: string, expectedText: string): string[] {
  const a = actualText.split('\n');
  const e = expectedText.split('\n');
  if (a.length !== e.length) return [`line counts differ: ${a.length} (actual) vs ${e.length} (expected)\n${actualText}`];
  return e.flatMap((line, i) => (line === a[i] ? [] : [`line ${i + 1}: expected ${JSON.stringify(line)}, got ${JSON.stringify(a[i])}`]));
}

describe('legacy full example (compose-go golden output)', () => {
  let s: Setup;
  beforeAll(() => {
    s = setUp();
  });
  afterAll(() => {
    fs.rmSync(s.dir, { recursive: true, force: true });
    fs.rmSync(s.home, { recursive: true, force: true });
  });

  it('prints the expected YAML, line for line', () => {
    expect(differences(render(s, 'yaml', false), expected(s, 'yaml'))).toEqual([]);
  });

  it('prints the expected JSON, line for line', () => {
    expect(differences(render(s, 'json', false), expected(s, 'json'))).toEqual([]);
  });

  it('with normalization, adds exactly the default network and the resource names', () => {
    const skip = parse(render(s, 'yaml', false)) as Record<string, Record<string, Record<string, unknown>>>;
    const full = parse(render(s, 'yaml', true));
    const p = 'full_example_project_name';
    skip.services.bar.networks = { default: null };
    skip.networks = {
      default: { name: `${p}_default` },
      ...skip.networks,
      'external-network': { name: 'external-network', ...skip.networks['external-network'] },
      'other-network': { name: `${p}_other-network`, ...skip.networks['other-network'] },
      'some-network': { name: `${p}_some-network` },
    };
    skip.volumes['external-volume'] = { name: 'external-volume', ...skip.volumes['external-volume'] };
    skip.volumes['other-volume'] = { name: `${p}_other-volume`, ...skip.volumes['other-volume'] };
    skip.volumes['some-volume'] = { name: `${p}_some-volume` };
    skip.secrets.secret1 = { name: `${p}_secret1`, ...skip.secrets.secret1 };
    skip.secrets.secret3 = { name: 'secret3', ...skip.secrets.secret3 };
    skip.secrets.secret5 = { name: `${p}_secret5`, ...skip.secrets.secret5 };
    skip.configs.config1 = { name: `${p}_config1`, ...skip.configs.config1 };
    skip.configs.config3 = { name: 'config3', ...skip.configs.config3 };
    expect(full).toEqual(skip);
  });
});
