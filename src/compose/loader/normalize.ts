/**
 * Stage: normalize the merged model to Docker Compose's long form — the form
 * `docker compose config` prints and every later stage relies on:
 *
 * 1. every short syntax to its long form (`canonical-forms.ts`, one row per
 *    attribute);
 * 2. relative paths resolved against the project directory and `~` against
 *    the home directory (`paths.ts`), unless `resolvePaths` is false;
 * 3. `env_file` and `label_file` read into `environment` and `labels`,
 *    valueless `environment` entries taken from the project environment
 *    (`service-files.ts`);
 * 4. what the model implies (`implicit-defaults.ts`): the `default` network,
 *    resource names `<project>_<key>`, implied dependencies …
 *
 * Pure: files are read and variables looked up through the context. Every
 * problem is reported at once (ValidationError), each at its source position.
 */
import { DiagnosticSink, type Diagnostic } from '../errors';
import { applyForms } from './apply-forms';
import { canonicalForms } from './canonical-forms';
import { addImplicitDefaults } from './implicit-defaults';
import { resolveProjectPaths, resolverFor } from './paths';
import { resolveServiceFiles } from './service-files';
import { copyMap, isMap, type TreeMap } from './tree';

export interface NormalizeContext {
  readonly projectName: string;
  /** Absolute. Relative paths are resolved against it. */
  readonly projectDir: string;
  /** False for `config --no-path-resolution`: paths stay as written. */
  readonly resolvePaths: boolean;
  /** A file's text, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
  /** The project environment (shell over `.env`). */
  lookupEnv(name: string): string | undefined;
  warn(d: Diagnostic): void;
  /** What `~` stands for in paths; by default the project environment's HOME. */
  readonly homeDir?: string;
  /**
   * Step 4 above (Docker Compose's normalization proper: default network,
   * resource names, implied dependencies, default Dockerfile, build args from
   * the environment). Default true; false gives compose-go's
   * `SkipNormalization` output, which still has the long forms of step 1.
   */
  readonly implicitDefaults?: boolean;
  /**
   * False when variables were left as written (`config --no-interpolate`): a
   * value that cannot be parsed (`ports: ["${PORT}:80"]`) is then kept as
   * written and not reported, as Docker Compose does. Default true.
   */
  readonly interpolated?: boolean;
}

export function normalize(tree: TreeMap, ctx: NormalizeContext): TreeMap {
  const sink = new DiagnosticSink();
  const homeDir = ctx.homeDir ?? ctx.lookupEnv('HOME');

  const lenient = ctx.interpolated === false;
  let out = applyForms(tree, canonicalForms, { lenient, error: (d) => sink.add(d), warn: ctx.warn });
  if (ctx.resolvePaths) out = resolveProjectPaths(out, ctx.projectDir, { homeDir });

  if (isMap(out.services)) {
    const io = {
      readFile: ctx.readFile,
      lookupEnv: ctx.lookupEnv,
      resolvePath: resolverFor(ctx.projectDir, { homeDir }),
      error: (d: Diagnostic) => sink.add(d),
      lenient,
    };
    const services: TreeMap = copyMap(out.services);
    const names = Object.keys(out.services);
    for (let i = 0; i < names.length; i++) {
      const svc = out.services[names[i]];
      if (isMap(svc)) services[names[i]] = resolveServiceFiles(svc, names[i], io);
    }
    out = { ...out, services };
  }

  if (ctx.implicitDefaults !== false) out = addImplicitDefaults(out, { projectName: ctx.projectName, lookupEnv: ctx.lookupEnv });
  sink.throwIfAny();
  return out;
}
