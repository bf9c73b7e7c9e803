/**
 * The loader pipeline: runs the stages of docs/loading.md in order and
 * returns the typed Project. Every stage is pure; this module is the only
 * one that sequences them and hands them the file system and environment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { diagnostic, DiagnosticSink, ValidationError, type Diagnostic } from '../errors';
import { projectFromTree, type Project } from '../model';
import { loadProjectEnvironment, parseComposeEnvFiles, type ProjectEnvironment } from './environment';
import { resolveExtends } from './extends';
import { projectDirectoryOf, selectFiles, STDIN, type FileSystem } from './files';
import { resolveIncludes, type IncludeRequest } from './include';
import { interpolateTree } from './interpolate';
import { mergeTrees, mergeUntagged } from './merge';
import { normalize } from './normalize';
import { parseYaml } from './parse';
import { resolveProjectPaths } from './paths';
import { allProfiles, applyProfiles } from './profiles';
import { resolveProjectName, type ProjectName } from './project-name';
import { validateSchema } from './schema';
import { checkSemantics } from './semantic';
import { keyPos, withOrigin, type Pos, type TreeMap } from './tree';
import { expandTemplate, type VariableUse } from './template';

export interface LoadOptions {
  /** The directory relative paths on the command line are relative to (the shell's cwd). */
  readonly workingDir: string;
  /** `-f` values. */
  readonly files?: readonly string[];
  readonly projectDirectory?: string;
  /** `-p`. */
  readonly projectName?: string;
  /** `--env-file` values. */
  readonly envFiles?: readonly string[];
  /** `--profile` values. */
  readonly profiles?: readonly string[];
  /** Services named on the command line (they enable their own profiles). */
  readonly services?: readonly string[];
  /** The shell's environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fs?: FileSystem;
  /** Reads all of stdin, for `-f -`. */
  readonly readStdin?: () => string;
  readonly interpolate?: boolean;
  readonly normalize?: boolean;
  readonly resolvePaths?: boolean;
  /**
   * False skips the JSON Schema stage (compose-go's SkipValidation): only for tests that check
   * a later stage on inputs the schema rejects, such as compose-go's merge golden cases.
   */
  readonly validateSchema?: boolean;
  /** Called with each warning as it is found, so warnings show even when loading then fails. */
  readonly onWarning?: (d: Diagnostic) => void;
  /** `--no-consistency`: skip the semantic checks (references, duplicate ports …). */
  readonly checkSemantics?: boolean;
}

/** One variable reference found while interpolating, with where it is. */
export interface VariableReference extends VariableUse {
  readonly path: string;
  readonly pos?: Pos;
}

export interface LoadResult {
  readonly project: Project;
  /** The final model tree (normalized unless asked not to), origins kept. */
  readonly tree: TreeMap;
  readonly name: ProjectName;
  readonly projectDir: string;
  readonly files: readonly string[];
  readonly environment: ProjectEnvironment;
  readonly variables: readonly VariableReference[];
  readonly warnings: readonly Diagnostic[];
  readonly activeProfiles: readonly string[];
  /** Every profile the model declares, enabled or not. */
  readonly allProfiles: readonly string[];
  readonly disabledServices: readonly string[];
}

export const nodeFileSystem: FileSystem = {
  readFile(p) {
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
  isFile(p) {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  },
};

export function loadProject(opts: LoadOptions): LoadResult {
  const files = opts.fs ?? nodeFileSystem;
  const warnings = new WarningList(opts.onWarning);

  // The .env of the directory the command starts from (--project-directory, the first -f
  // file's directory, or the working directory) may name COMPOSE_FILE. Once the files are
  // known, the project directory's .env applies too; the first one wins over it, as Docker
  // Compose loads it into its own environment before loading the project.
  const firstFlagFile = opts.files?.find((f) => f !== STDIN);
  const startDir = opts.projectDirectory
    ? path.resolve(opts.workingDir, opts.projectDirectory)
    : firstFlagFile && opts.files?.[0] !== STDIN
      ? path.dirname(path.resolve(opts.workingDir, firstFlagFile))
      : opts.workingDir;
  let environment = environmentFor([startDir], opts, files);
  const selection = selectFiles({
    workingDir: opts.workingDir,
    files: opts.files,
    composeFile: environment.get('COMPOSE_FILE'),
    pathSeparator: environment.get('COMPOSE_PATH_SEPARATOR'),
    projectDirectory: opts.projectDirectory,
    fs: files,
  });
  warnings.push(...selection.warnings);
  const projectDir = projectDirectoryOf({ workingDir: opts.workingDir, projectDirectory: opts.projectDirectory, files: selection.files });
  if (projectDir !== startDir) environment = environmentFor([projectDir, startDir], opts, files);

  const reader = new ModelReader(files, opts, warnings);
  const lookup = (name: string): string | undefined => environment.get(name);
  const trees = reader.loadAll(selection.files, lookup, projectDir, []);
  // Merging onto {} also applies a lone file's own `!reset` tags (a file without any
  // `!` has none: then the merge would only copy it).
  let tree =
    trees.length === 1 && !reader.mayHaveTags ? mergeUntagged(trees[0]) : trees.reduce((acc, t) => mergeTrees(acc, t), withOrigin({}, undefined));

  const name = resolveProjectName({
    flag: opts.projectName,
    environment: environment.get('COMPOSE_PROJECT_NAME'),
    tree,
    projectDir,
  });
  tree = { ...tree, name: name.name };

  // Profiles and the services named on the command line decide what is loaded further: as
  // with Docker Compose, a disabled service's env_file is not read and its references are
  // not checked.
  const declaredProfiles = allProfiles(tree);
  const profiles = applyProfiles(tree, {
    profiles: opts.profiles && opts.profiles.length > 0 ? opts.profiles : splitList(environment.get('COMPOSE_PROFILES')),
    services: opts.services,
  });
  tree = profiles.tree;

  // With --no-normalize the long forms are still written out, as Docker Compose does; only
  // its implicit defaults (default network, resource names …) are left out.
  tree = normalize(tree, {
    projectName: name.name,
    projectDir,
    resolvePaths: opts.resolvePaths !== false,
    readFile: (p) => files.readFile(p),
    lookupEnv: lookup,
    warn: (d) => warnings.push(d),
    implicitDefaults: opts.normalize !== false,
    interpolated: opts.interpolate !== false,
  });
  if (opts.normalize !== false && opts.checkSemantics !== false) {
    const semantic = checkSemantics(tree);
    if (semantic.length > 0) throw new ValidationError(semantic);
  }

  // The typed model is made when first asked for: `config` prints the tree and never needs it.
  const finalTree = tree;
  let project: Project | undefined;
  return {
    get project(): Project {
      project ??= projectFromTree(finalTree, {
        name: name.name,
        workingDir: projectDir,
        configFiles: selection.files,
        environment: environment.toRecord(),
      });
      return project;
    },
    tree,
    name,
    projectDir,
    files: selection.files,
    environment,
    variables: reader.variables,
    warnings: warnings.all,
    activeProfiles: profiles.active,
    allProfiles: declaredProfiles,
    disabledServices: profiles.disabled,
  };
}

function sortByPlace(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => (a.pos?.line ?? 0) - (b.pos?.line ?? 0) || (a.pos?.col ?? 0) - (b.pos?.col ?? 0));
}

/** Warnings kept for the result and handed on to the caller as they come. */
class WarningList {
  readonly all: Diagnostic[] = [];
  constructor(private readonly onWarning?: (d: Diagnostic) => void) {}
  push(...ds: Diagnostic[]): void {
    for (const d of ds) {
      this.all.push(d);
      this.onWarning?.(d);
    }
  }
}

function splitList(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** The shell over `--env-file`s, else over the `.env` of each directory (a later one wins). */
function environmentFor(dirs: readonly string[], opts: LoadOptions, files: FileSystem): ProjectEnvironment {
  const explicit = opts.envFiles && opts.envFiles.length > 0 ? opts.envFiles : parseComposeEnvFiles(opts.env.COMPOSE_ENV_FILES ?? '');
  const envFiles =
    explicit.length > 0
      ? explicit.map((p) => ({ path: path.resolve(opts.workingDir, p), required: true }))
      : dirs.map((dir) => ({ path: path.join(dir, '.env'), required: false }));
  return loadProjectEnvironment({ shell: opts.env, envFiles, readFile: (p) => (files.isFile(p) ? files.readFile(p) : undefined) });
}

/**
 * Reads compose files through parse → interpolate → schema → extends →
 * include, caching each file's parsed tree and collecting variable uses.
 */
class ModelReader {
  readonly variables: VariableReference[] = [];
  /** Whether a file read holds a `!` (so its tree may hold `!reset` / `!override` tags). */
  mayHaveTags = false;
  private readonly parsed = new Map<string, TreeMap>();
  private readonly warnedUnset = new Set<string>();
  private stdinText: string | undefined;
  private nameHint: string | undefined;

  constructor(
    private readonly fs: FileSystem,
    private readonly opts: LoadOptions,
    private readonly warnings: WarningList,
  ) {}

  loadAll(files: readonly string[], lookup: (n: string) => string | undefined, projectDir: string, stack: readonly string[]): TreeMap[] {
    const sink = new DiagnosticSink();
    const trees: TreeMap[] = [];
    for (const file of files) {
      try {
        trees.push(this.loadOne(file, lookup, projectDir, stack));
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        sink.addAll(e.diagnostics);
      }
    }
    sink.throwIfAny();
    return trees;
  }

  private loadOne(file: string, lookup: (n: string) => string | undefined, projectDir: string, stack: readonly string[]): TreeMap {
    const tree = this.read(file, lookup);
    // Paths in a model read from stdin are relative to the project directory.
    const at = file === STDIN ? path.join(projectDir, '<stdin>') : file;
    const extended = resolveExtends(tree, { file: at, loadFile: (abs) => this.read(abs, lookup) });
    return resolveIncludes(extended, { file: at, load: (req) => this.include(req, at, stack) });
  }

  private include(req: IncludeRequest, from: string, stack: readonly string[]): TreeMap {
    const chain = [...stack, from];
    const where = req.keyPath ?? 'include';
    const looping = req.paths.find((p) => chain.includes(p));
    if (looping) {
      const cycle = [...chain.slice(chain.indexOf(looping)), looping].map((f) => path.basename(f)).join(' -> ');
      throw new ValidationError([diagnostic(req.at, where, `include cycle: ${cycle}`, from)]);
    }
    const missing = req.paths.filter((p) => !this.fs.isFile(p));
    if (missing.length > 0) {
      throw new ValidationError(missing.map((p) => diagnostic(req.at, where, `included file ${p} does not exist`, from)));
    }
    const envFiles =
      req.envFiles.length > 0
        ? req.envFiles.map((p) => ({ path: p, required: true }))
        : [{ path: path.join(req.projectDirectory, '.env'), required: false }];
    const own = loadProjectEnvironment({
      shell: this.opts.env,
      envFiles,
      readFile: (p) => (this.fs.isFile(p) ? this.fs.readFile(p) : undefined),
    });
    const trees = this.loadAll(req.paths, (n) => own.get(n), req.projectDirectory, chain);
    const merged = trees.reduce((acc, t) => mergeTrees(acc, t), withOrigin({}, undefined));
    return this.opts.resolvePaths === false ? merged : resolveProjectPaths(merged, req.projectDirectory);
  }

  /** parse → interpolate → schema, once per file. */
  private read(file: string, lookup: (n: string) => string | undefined): TreeMap {
    const cached = this.parsed.get(file);
    if (cached) return cached;
    const text = file === STDIN ? this.stdin() : this.fs.readFile(file);
    if (text === undefined) throw new ValidationError([diagnostic(undefined, '', 'cannot read this file', file)]);
    const shown = file === STDIN ? '<stdin>' : file;
    const tagged = text.includes('!');
    if (tagged) this.mayHaveTags = true;
    let tree = parseYaml(text, shown).tree;
    const templateProblems: Diagnostic[] = [];
    if (this.opts.interpolate !== false) {
      const result = interpolateTree(tree, shown, this.withProjectName(tree, lookup), {
        source: text,
        report: (d) => templateProblems.push(d),
      });
      tree = result.tree;
      const uses = result.uses;
      for (let i = 0; i < uses.length; i++) {
        const use = uses[i];
        this.variables.push(use);
        if (use.operator === '' && !use.set && !this.warnedUnset.has(use.name)) {
          this.warnedUnset.add(use.name);
          this.warnings.push(diagnostic(use.pos, use.path, `variable ${use.name} is not set; using an empty string`));
        }
      }
    }
    // Template and schema problems of one file are reported together; a value whose template
    // is broken is not reported again by the schema.
    const schemaProblems = this.opts.validateSchema === false ? [] : validateSchema(tree, { mayHaveTags: tagged });
    const broken = templateProblems.map((d) => d.path);
    const problems = [...templateProblems, ...schemaProblems.filter((d) => !broken.some((b) => d.path === b || d.path.startsWith(`${b}.`) || d.path.startsWith(`${b}[`)))];
    if (problems.length > 0) throw new ValidationError(sortByPlace(problems));
    if ('version' in tree) {
      this.warnings.push(diagnostic(keyPos(tree, 'version', 'key'), 'version', 'the top-level "version" is obsolete and ignored'));
    }
    this.parsed.set(file, tree);
    return tree;
  }

  /**
   * Like compose-go, a model may use ${COMPOSE_PROJECT_NAME} even when only `-p` or the
   * top-level `name:` sets it.
   */
  private withProjectName(tree: TreeMap, lookup: (n: string) => string | undefined): (n: string) => string | undefined {
    if (this.nameHint === undefined && typeof tree.name === 'string') {
      this.nameHint = expandTemplate(tree.name, lookup).value;
    }
    return (n) => (n === 'COMPOSE_PROJECT_NAME' ? (this.opts.projectName ?? lookup(n) ?? this.nameHint) : lookup(n));
  }

  private stdin(): string {
    if (this.stdinText === undefined) this.stdinText = this.opts.readStdin ? this.opts.readStdin() : fs.readFileSync(0, 'utf8');
    return this.stdinText;
  }
}
