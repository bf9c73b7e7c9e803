/**
 * The short syntax of a service's `volumes` entry
 * (`[SOURCE:]TARGET[:OPTIONS]`) parsed as Docker Compose does: a source that
 * starts with `.`, `/` or `~` (or a Windows drive / named pipe) is a bind
 * mount, anything else names a volume; a lone path is an anonymous volume.
 * Options: `ro`, `rw`, `nocopy`, `z`/`Z` (SELinux), propagation modes; unknown
 * options are ignored, as Docker Compose does.
 */
import posixPath from 'node:path/posix';

export interface VolumeSpec {
  readonly type: 'bind' | 'volume';
  readonly source?: string;
  readonly target: string;
  readonly readOnly: boolean;
  /** Only for binds: `selinux`, `propagation`. */
  readonly bind?: { readonly selinux?: string; readonly propagation?: string };
  /** Only for volumes. */
  readonly nocopy: boolean;
}

const PROPAGATIONS = new Set(['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave']);
const SELINUX = new Set(['z', 'Z']);

/** Throws an Error whose message says what is wrong with `spec`. */
export function parseVolumeSpec(spec: string): VolumeSpec {
  if (spec === '') throw new Error('empty volume specification');
  if (spec.length <= 2) return { type: 'volume', target: spec, readOnly: false, nocopy: false };

  const sections: string[] = [];
  let start = 0;
  for (let i = 0; i < spec.length; i++) {
    if (spec.charCodeAt(i) !== 0x3a /* : */ || isWindowsDrive(spec, start, i)) continue;
    sections.push(spec.slice(start, i));
    start = i + 1;
  }
  sections.push(spec.slice(start));
  if (sections.some((s) => s === '')) throw new Error('empty section between colons');
  if (sections.length > 3) throw new Error('too many colons: use SOURCE:TARGET[:OPTIONS]');

  const [first, second, options] = sections;
  const source = sections.length === 1 ? undefined : first;
  const target = cleanTarget(sections.length === 1 ? first : second);
  let readOnly = false;
  let nocopy = false;
  let selinux: string | undefined;
  let propagation: string | undefined;
  for (const opt of (options ?? '').split(',')) {
    if (opt === 'ro') readOnly = true;
    else if (opt === 'rw') readOnly = false;
    else if (opt === 'nocopy') nocopy = true;
    else if (SELINUX.has(opt)) selinux = opt;
    else if (PROPAGATIONS.has(opt)) propagation = opt;
  }
  if (source !== undefined && isFilePath(source)) {
    const bind = { ...(selinux ? { selinux } : {}), ...(propagation ? { propagation } : {}) };
    return { type: 'bind', source, target, readOnly, bind, nocopy: false };
  }
  return { type: 'volume', ...(source !== undefined ? { source } : {}), target, readOnly, nocopy };
}

/** Whether a short-syntax source is a host path (and so a bind mount). */
export function isFilePath(source: string): boolean {
  if (source === '') return false;
  if ('./~'.includes(source[0])) return true;
  if (source.startsWith('\\\\')) return true;
  return /^[a-zA-Z]:/.test(source);
}

/** Whether the `:` at `colon` follows a lone letter starting its section (`C:`), which it then belongs to. */
function isWindowsDrive(spec: string, sectionStart: number, colon: number): boolean {
  if (colon - sectionStart !== 1) return false;
  const c = spec.charCodeAt(sectionStart);
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function cleanTarget(target: string): string {
  return target === '' ? '' : posixPath.normalize(target).replace(/(.)\/$/, '$1');
}
