/**
 * A service's `environment` and `labels` as the container gets them, as
 * Docker Compose builds them:
 *
 * - `environment` entries without a value (`FOO`, `FOO:`) take it from the
 *   project environment, or stay `null` (unset) when it has none;
 * - the `env_file` files are read in order (later files win; a missing file
 *   is an error unless `required: false`), each interpolated with what the
 *   earlier files set and then the project environment — or, with
 *   `format: raw`, taken as written; `environment` wins over them all;
 * - the `label_file` files are read the same way (interpolated with the
 *   labels read so far only; a missing file is an error); `labels` win.
 */
import { diagnostic, ValidationError, type Diagnostic } from '../errors';
import { parseDotEnv, parseRawEnv } from './dotenv';
import { isList, isMap, itemPos, keyPos, originOf, withOrigin, type Node, type Pos, type TreeMap } from './tree';

export interface ServiceFilesIO {
  readFile(path: string): string | undefined;
  lookupEnv(name: string): string | undefined;
  /** Turns a path as written into the one to read (relative → project directory, `~`). */
  resolvePath(p: string): string;
  error(d: Diagnostic): void;
  /** Paths may hold uninterpolated `${…}`: a file that cannot be read is skipped silently. */
  readonly lenient?: boolean;
}

interface FileRef {
  readonly path: string;
  readonly required: boolean;
  /** `env_file` only: `raw`, or the default (`.env`) when absent. */
  readonly format?: string;
  readonly pos: Pos | undefined;
}

type EnvParser = (text: string, file: string, lookup: (name: string) => string | undefined) => Map<string, string>;

/** The `env_file` formats Docker Compose knows, by name; no `format` means `.env`. */
const ENV_FILE_FORMATS: Readonly<Record<string, EnvParser>> = {
  '.env': parseDotEnv,
  raw: parseRawEnv,
};

export function resolveServiceFiles(service: TreeMap, name: string, io: ServiceFilesIO): TreeMap {
  let out = service;
  const envFiles = fileRefs(service.env_file, true);
  if (isMap(service.environment) || envFiles.length > 0) {
    const environment = environmentOf(service, name, envFiles, io);
    if (environment !== service.environment && ('environment' in service || Object.keys(environment).length > 0)) out = { ...out, environment };
  }
  const labelFiles = fileRefs(service.label_file, true);
  if (labelFiles.length > 0) {
    const labels = labelsOf(service, name, labelFiles, io);
    if ('labels' in service || Object.keys(labels).length > 0) out = { ...out, labels };
  }
  return out;
}

const NO_ENTRIES: ReadonlyMap<string, { value: string; pos: Pos | undefined }> = new Map();

function environmentOf(service: TreeMap, name: string, files: readonly FileRef[], io: ServiceFilesIO): TreeMap {
  const fromFiles = files.length === 0 ? NO_ENTRIES : readAll(files, name, 'env_file', io, (vars) => (n) => vars.get(n) ?? io.lookupEnv(n));
  // `environment: [FOO]` (no value) takes FOO from the project environment.
  return overFileEntries(service, service.environment, fromFiles, (k, v) => (v === null ? (io.lookupEnv(k) ?? null) : v));
}

function labelsOf(service: TreeMap, name: string, files: readonly FileRef[], io: ServiceFilesIO): TreeMap {
  const fromFiles = readAll(files, name, 'label_file', io, (vars) => (n) => vars.get(n));
  return overFileEntries(service, service.labels, fromFiles, (_k, v) => v);
}

/** The entries read from files, then the service's own map over them (positions kept). */
function overFileEntries(
  service: TreeMap,
  ownNode: Node | undefined,
  fromFiles: ReadonlyMap<string, { value: string; pos: Pos | undefined }>,
  valueOf: (key: string, value: Node) => Node,
): TreeMap {
  const own: TreeMap = isMap(ownNode) ? ownNode : withOrigin({}, originOf(service));
  if (fromFiles.size === 0 && isMap(ownNode) && keepsItself(own, valueOf)) return own;
  const out: TreeMap = {};
  const keys: Record<string, { key: Pos; value: Pos }> = {};
  for (const [k, { value, pos }] of fromFiles) {
    out[k] = value;
    if (pos) keys[k] = { key: pos, value: pos };
  }
  for (const [k, v] of Object.entries(own)) {
    out[k] = valueOf(k, v);
    const kp = keyPos(own, k, 'key');
    const vp = keyPos(own, k, 'value');
    if (kp && vp) keys[k] = { key: kp, value: vp };
  }
  const base = originOf(own)?.pos ?? originOf(service)?.pos;
  return withOrigin(out, base ? { pos: base, keys } : undefined);
}

/**
 * Whether `overFileEntries` would give a copy of `own` itself (no files read): no value
 * changes, and its origin places every key as the copy's would be placed (no tags).
 */
function keepsItself(own: TreeMap, valueOf: (key: string, value: Node) => Node): boolean {
  const origin = originOf(own);
  const places = origin?.keys;
  if (places === undefined || origin?.pos === undefined || origin.tags !== undefined) return false;
  const keys = Object.keys(own);
  let placed = 0;
  for (const _ in places) placed++;
  if (placed !== keys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const place = places[k];
    if (place === undefined || place.key === undefined || place.value === undefined) return false;
    const v = own[k];
    if (valueOf(k, v) !== v) return false;
  }
  return true;
}

/** Reads the files in order; later files override earlier ones. */
function readAll(
  files: readonly FileRef[],
  service: string,
  attribute: 'env_file' | 'label_file',
  io: ServiceFilesIO,
  lookupFor: (vars: ReadonlyMap<string, string>) => (name: string) => string | undefined,
): Map<string, { value: string; pos: Pos | undefined }> {
  const merged = new Map<string, { value: string; pos: Pos | undefined }>();
  const values = new Map<string, string>();
  files.forEach((f, i) => {
    const file = io.resolvePath(f.path);
    const text = io.readFile(file);
    if (text === undefined) {
      if (f.required && !io.lenient) {
        io.error(
          diagnostic(
            f.pos,
            ['services', service, attribute, i],
            `cannot read ${attribute === 'env_file' ? 'env' : 'label'} file ${file}: it does not exist or is not readable${attribute === 'env_file' ? ' (mark it required: false if it is optional)' : ''}`,
          ),
        );
      }
      return;
    }
    const format = f.format ?? '.env';
    const parser = Object.hasOwn(ENV_FILE_FORMATS, format) ? ENV_FILE_FORMATS[format] : undefined;
    if (!parser) {
      // Judged once the file is read, as Docker Compose does: an optional file that is absent is not refused.
      if (!io.lenient) {
        io.error(
          diagnostic(
            f.pos,
            ['services', service, attribute, i, 'format'],
            `unsupported env_file format ${JSON.stringify(format)}: write "format: raw" to take values as written, or leave it out for the usual .env syntax`,
          ),
        );
      }
      return;
    }
    let vars: Map<string, string>;
    try {
      vars = parser(text, file, lookupFor(values));
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      if (!io.lenient) for (const d of e.diagnostics) io.error(d);
      return;
    }
    for (const [k, v] of vars) {
      merged.set(k, { value: v, pos: f.pos });
      values.set(k, v);
    }
  });
  return merged;
}

/** `env_file` / `label_file` in any form (string, list of strings or of `{path, required}`). */
function fileRefs(v: Node | undefined, requiredByDefault: boolean): FileRef[] {
  if (v === undefined || v === null) return [];
  const list = isList(v) ? v : [v];
  const refs: FileRef[] = [];
  list.forEach((item, i) => {
    const pos = isList(v) ? itemPos(v, i) : undefined;
    if (typeof item === 'string') refs.push({ path: item, required: requiredByDefault, pos });
    else if (isMap(item) && typeof item.path === 'string') {
      const format = typeof item.format === 'string' && item.format !== '' ? item.format : undefined;
      refs.push({ path: item.path, required: item.required !== false, format, pos: pos ?? originOf(item)?.pos });
    }
  });
  return refs;
}
