/**
 * Stage: interpolate every string value of one file's tree (never keys),
 * keeping origins. Every malformed template and missing required variable in
 * the file is reported at once; unset variables are returned in `uses` for
 * the caller to warn about.
 *
 * A value that held a variable reference is then cast to a number or a
 * boolean where the spec wants one (`tty: ${TTY}` → `true`), as Docker
 * Compose does, so that schema validation sees the intended type. Literal
 * strings are left alone (`tty: "true"` stays a string).
 */
import { diagnostic, ValidationError, type Diagnostic } from '../errors';
import { lineStarts } from './line-starts';
import { expandTemplate, TemplateError, type VariableUse } from './template';
import {
  formatPath,
  itemPos,
  keyPos,
  sameOrigin,
  type Node,
  type PathSegment,
  type Pos,
  type TreeList,
  type TreeMap,
} from './tree';

export type InterpolatedUse = VariableUse & { readonly path: string; readonly pos?: Pos };

export interface InterpolateOptions {
  /**
   * The file's text. When given, errors and uses inside a one-line plain or
   * quoted scalar point at the `$` itself rather than at the scalar's start.
   */
  readonly source?: string;
  /**
   * When given, template problems are handed here (the value is left as
   * written) instead of being thrown, so that the caller can report them
   * together with the next stage's.
   */
  readonly report?: (d: Diagnostic) => void;
}

export type CastKind = 'int' | 'float' | 'bool';

/**
 * Fields whose value is cast after interpolation, keyed by path pattern
 * (`*` matches any map key or list index). Every numeric or boolean field of
 * the Compose spec, except maps of free values (environment, labels…), file
 * modes (octal strings) and published ports (a string in the canonical form).
 */
export const interpolationCasts: Readonly<Record<string, CastKind>> = {
  'services.*.attach': 'bool',
  'services.*.blkio_config.weight': 'int',
  'services.*.blkio_config.weight_device.*.weight': 'int',
  'services.*.blkio_config.device_read_bps.*.rate': 'int',
  'services.*.blkio_config.device_read_iops.*.rate': 'int',
  'services.*.blkio_config.device_write_bps.*.rate': 'int',
  'services.*.blkio_config.device_write_iops.*.rate': 'int',
  'services.*.build.no_cache': 'bool',
  'services.*.build.privileged': 'bool',
  'services.*.build.pull': 'bool',
  'services.*.build.shm_size': 'int',
  'services.*.build.ulimits.*': 'int',
  'services.*.build.ulimits.*.hard': 'int',
  'services.*.build.ulimits.*.soft': 'int',
  'services.*.cpu_count': 'int',
  'services.*.cpu_percent': 'int',
  'services.*.cpu_period': 'int',
  'services.*.cpu_quota': 'int',
  'services.*.cpu_rt_period': 'int',
  'services.*.cpu_rt_runtime': 'int',
  'services.*.cpu_shares': 'int',
  'services.*.cpus': 'float',
  'services.*.depends_on.*.required': 'bool',
  'services.*.depends_on.*.restart': 'bool',
  'services.*.deploy.placement.max_replicas_per_node': 'int',
  'services.*.deploy.replicas': 'int',
  'services.*.deploy.resources.limits.cpus': 'float',
  'services.*.deploy.resources.limits.pids': 'int',
  'services.*.deploy.resources.reservations.cpus': 'float',
  'services.*.deploy.resources.reservations.devices.*.count': 'int',
  'services.*.deploy.resources.reservations.generic_resources.*.discrete_resource_spec.value': 'float',
  'services.*.deploy.restart_policy.max_attempts': 'int',
  'services.*.deploy.rollback_config.max_failure_ratio': 'float',
  'services.*.deploy.rollback_config.parallelism': 'int',
  'services.*.deploy.update_config.max_failure_ratio': 'float',
  'services.*.deploy.update_config.parallelism': 'int',
  'services.*.develop.watch.*.exec.privileged': 'bool',
  'services.*.develop.watch.*.initial_sync': 'bool',
  'services.*.env_file.*.required': 'bool',
  'services.*.gpus.*.count': 'int',
  'services.*.healthcheck.disable': 'bool',
  'services.*.healthcheck.retries': 'int',
  'services.*.init': 'bool',
  'services.*.mem_limit': 'int',
  'services.*.mem_reservation': 'int',
  'services.*.mem_swappiness': 'int',
  'services.*.memswap_limit': 'int',
  'services.*.networks.*.gw_priority': 'int',
  'services.*.networks.*.priority': 'int',
  'services.*.oom_kill_disable': 'bool',
  'services.*.oom_score_adj': 'int',
  'services.*.pids_limit': 'int',
  'services.*.ports.*.target': 'int',
  'services.*.post_start.*.privileged': 'bool',
  'services.*.pre_start.*.per_replica': 'bool',
  'services.*.pre_start.*.privileged': 'bool',
  'services.*.pre_stop.*.privileged': 'bool',
  'services.*.privileged': 'bool',
  'services.*.read_only': 'bool',
  'services.*.scale': 'int',
  'services.*.shm_size': 'int',
  'services.*.stdin_open': 'bool',
  'services.*.tty': 'bool',
  'services.*.ulimits.*': 'int',
  'services.*.ulimits.*.hard': 'int',
  'services.*.ulimits.*.soft': 'int',
  'services.*.use_api_socket': 'bool',
  'services.*.volumes.*.bind.create_host_path': 'bool',
  'services.*.volumes.*.read_only': 'bool',
  'services.*.volumes.*.tmpfs.size': 'int',
  'services.*.volumes.*.volume.nocopy': 'bool',
  'networks.*.attachable': 'bool',
  'networks.*.enable_ipv4': 'bool',
  'networks.*.enable_ipv6': 'bool',
  'networks.*.external': 'bool',
  'networks.*.internal': 'bool',
  'volumes.*.external': 'bool',
  'secrets.*.external': 'bool',
  'configs.*.external': 'bool',
  'models.*.context_size': 'int',
};

/** Patterns indexed by their last segment, split once. */
const castIndex: ReadonlyMap<string, ReadonlyArray<{ segments: readonly string[]; kind: CastKind }>> = (() => {
  const index = new Map<string, Array<{ segments: readonly string[]; kind: CastKind }>>();
  for (const [pattern, kind] of Object.entries(interpolationCasts)) {
    const segments = pattern.split('.');
    const last = segments[segments.length - 1];
    const list = index.get(last) ?? [];
    list.push({ segments, kind });
    index.set(last, list);
  }
  return index;
})();

/** The cast that applies at `path`, if any. */
export function castFor(path: readonly PathSegment[]): CastKind | undefined {
  if (path.length === 0) return undefined;
  return matchCast(castIndex.get(String(path[path.length - 1])), path) ?? matchCast(castIndex.get('*'), path);
}

function matchCast(candidates: ReadonlyArray<{ segments: readonly string[]; kind: CastKind }> | undefined, path: readonly PathSegment[]): CastKind | undefined {
  if (!candidates) return undefined;
  next: for (const { segments, kind } of candidates) {
    if (segments.length !== path.length) continue;
    for (let i = 0; i < segments.length; i++) {
      if (segments[i] !== '*' && segments[i] !== String(path[i])) continue next;
    }
    return kind;
  }
  return undefined;
}

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE = new Set(['true', 'yes', 'on', 'y']);
const FALSE = new Set(['false', 'no', 'off', 'n']);

/** `value` as the kind wants it, or unchanged when it does not parse as one. */
export function castValue(value: string, kind: CastKind): string | number | boolean {
  switch (kind) {
    case 'int':
      return INT.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value;
    case 'float':
      return FLOAT.test(value) ? Number(value) : value;
    case 'bool': {
      const lower = value.toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      return value;
    }
  }
}

export function interpolateTree(
  tree: TreeMap,
  file: string,
  lookup: (name: string) => string | undefined,
  options: InterpolateOptions = {},
): { tree: TreeMap; uses: InterpolatedUse[] } {
  const walker = new Walker(file, lookup, options.source);
  const out = walker.map(tree, []);
  if (options.report) walker.problems.forEach(options.report);
  else if (walker.problems.length > 0) throw new ValidationError(walker.problems);
  return { tree: out, uses: walker.uses };
}

/**
 * `{ ...use, path, pos }`, written out: the same keys in the same order, built
 * without a generic object spread (a hot spot with thousands of uses).
 */
function withPlace(use: VariableUse, path: string, pos: Pos | undefined): InterpolatedUse {
  const { name, operator, set, value, usedDefault, offset } = use;
  return 'argument' in use
    ? { name, operator, argument: use.argument, set, value, usedDefault, offset, path, pos }
    : { name, operator, set, value, usedDefault, offset, path, pos };
}

/** Where a one-line scalar is written: its first column (0-based), and how many of its characters read the same there. */
interface Span {
  readonly start: number;
  readonly same: number;
}

class Walker {
  readonly uses: InterpolatedUse[] = [];
  readonly problems: Diagnostic[] = [];
  /** Where each line of `source` starts (made on first use). */
  private lineStarts: ArrayLike<number> | undefined;
  /**
   * What each string expanded to: the lookup is the same for the whole file, and
   * a model repeats its templates (`${TAG:-latest}` in every service).
   */
  private readonly expansions = new Map<string, { readonly value: string; readonly uses: readonly VariableUse[] }>();
  /** The formatted path of the map or list whose values were last interpolated. */
  private lastParent: TreeMap | TreeList | undefined;
  private lastParentPath = '';

  /** `formatPath(path)`, for a value at `at` in `parent`: the parent's part is made once per parent. */
  private pathOf(parent: TreeMap | TreeList, path: readonly PathSegment[], at: PathSegment): string {
    if (parent !== this.lastParent) {
      this.lastParent = parent;
      this.lastParentPath = formatPath(path.slice(0, -1));
    }
    if (typeof at === 'number') return `${this.lastParentPath}[${at}]`;
    return this.lastParentPath === '' ? at : `${this.lastParentPath}.${at}`;
  }

  constructor(
    private readonly file: string,
    private readonly lookup: (name: string) => string | undefined,
    private readonly source: string | undefined,
  ) {}

  /**
   * Returns `node` itself when nothing under it changed (stages never mutate, so sharing
   * is safe). Scalars are looked at in the loop: most are not templates.
   */
  map(node: TreeMap, path: PathSegment[]): TreeMap {
    let out: TreeMap | undefined;
    const keys = Object.keys(node);
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      const v = node[key];
      let value: Node;
      if (typeof v === 'string') {
        if (!v.includes('$')) {
          if (out !== undefined) out[key] = v;
          continue;
        }
        path.push(key);
        value = this.template(v, path, node, key);
        path.pop();
      } else if (v !== null && typeof v === 'object') {
        path.push(key);
        value = Array.isArray(v) ? this.list(v, path) : this.map(v, path);
        path.pop();
      } else {
        if (out !== undefined) out[key] = v;
        continue;
      }
      if (out === undefined && value !== v) {
        out = {};
        for (let j = 0; j < k; j++) out[keys[j]] = node[keys[j]];
      }
      if (out !== undefined) out[key] = value;
    }
    // The same map may sit at another path too: its path is made again there.
    if (this.lastParent === node) this.lastParent = undefined;
    return out === undefined ? node : sameOrigin(out, node);
  }

  list(node: TreeList, path: PathSegment[]): TreeList {
    let out: TreeList | undefined;
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      let value: Node;
      if (typeof v === 'string') {
        if (!v.includes('$')) {
          if (out !== undefined) out.push(v);
          continue;
        }
        path.push(i);
        value = this.template(v, path, node, i);
        path.pop();
      } else if (v !== null && typeof v === 'object') {
        path.push(i);
        value = Array.isArray(v) ? this.list(v, path) : this.map(v, path);
        path.pop();
      } else {
        if (out !== undefined) out.push(v);
        continue;
      }
      if (out === undefined && value !== v) out = node.slice(0, i);
      if (out !== undefined) out.push(value);
    }
    if (this.lastParent === node) this.lastParent = undefined;
    return out === undefined ? node : sameOrigin(out, node);
  }

  /** The string `value` (holding a `$`) at `path`, in `parent` under `at` (a key or an index). */
  private template(value: string, path: PathSegment[], parent: TreeMap | TreeList, at: PathSegment): Node {
    const where = typeof at === 'number' ? itemPos(parent, at) : keyPos(parent, at);
    let expansion = this.expansions.get(value);
    if (expansion === undefined) {
      try {
        expansion = expandTemplate(value, this.lookup);
      } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        this.problems.push(diagnostic(this.at(where, this.spanOf(where, value), e.offset), path, e.message, this.file));
        return value;
      }
      this.expansions.set(value, expansion);
    }
    const { value: expanded, uses } = expansion;
    if (uses.length > 0) {
      const formatted = this.pathOf(parent, path, at);
      const span = this.spanOf(where, value);
      for (let i = 0; i < uses.length; i++) this.uses.push(withPlace(uses[i], formatted, this.at(where, span, uses[i].offset)));
      const kind = castFor(path);
      if (kind) return castValue(expanded, kind);
    }
    return expanded;
  }

  /**
   * Best effort: where a scalar that starts at `pos` is written, when it is written
   * plainly or quoted on one line — the column of its first character, and for how
   * many characters its text reads the same in the source (compared in place: no
   * substrings made). Undefined when that cannot be known.
   */
  private spanOf(pos: Pos | undefined, value: string): Span | undefined {
    if (!pos || this.source === undefined || value.includes('\n')) return undefined;
    const source = this.source;
    this.lineStarts ??= lineStarts(source);
    if (pos.line < 1 || pos.line > this.lineStarts.length) return undefined;
    const lineStart = this.lineStarts[pos.line - 1];
    const lineEnd = pos.line < this.lineStarts.length ? this.lineStarts[pos.line] - 1 : source.length;
    const first = pos.col - 1 < lineEnd - lineStart ? source[lineStart + pos.col - 1] : undefined;
    const quoted = first === '"' || first === "'";
    const start = quoted ? pos.col : pos.col - 1;
    const from = lineStart + start;
    const max = Math.min(value.length, lineEnd - from);
    let same = 0;
    while (same < max && source.charCodeAt(from + same) === value.charCodeAt(same)) same++;
    return { start, same };
  }

  /**
   * The place of character `offset` of a scalar at `pos` written as `span` says: when
   * its text up to `offset` reads the same in the source; else `pos` itself.
   */
  private at(pos: Pos | undefined, span: Span | undefined, offset: number): Pos | undefined {
    if (!pos || span === undefined || (offset > 0 && offset > span.same)) return pos;
    const col = span.start + offset + 1;
    return col === pos.col ? pos : { file: pos.file, line: pos.line, col };
  }
}
