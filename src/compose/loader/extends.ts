/**
 * Stage: `extends`. A service that extends another one (`extends: base` or
 * `extends: {service, file}`) is the base service, itself fully extended,
 * with the local definition merged over it by the Compose merge rules (local
 * wins, `!reset` / `!override` honoured). A base taken from another file has
 * its relative paths resolved against that file's directory. References to
 * other services (`depends_on`, `volumes_from`, `links`, `network_mode:
 * service:…`) are copied as they are: as the specification says, Compose does
 * not import the services they name, so they must exist in the extending
 * model (the semantic checks report them otherwise). The result has no
 * `extends` keys. Cycles, unknown services and unreadable files are reported
 * at the `extends` key, all at once.
 */
import path from 'node:path';
import { didYouMean } from './checks/did-you-mean';
import { diagnostic, DiagnosticSink, ValidationError, type Diagnostic } from '../errors';
import { mergeAt, withoutMergeTags } from './merge';
import { resolveServicePaths } from './paths';
import { isMap, keyPos, sameOrigin, type Node, type Pos, type TreeMap } from './tree';

export interface ExtendsContext {
  /** The file `tree` was read from; `extends.file` is relative to its directory. */
  readonly file: string;
  /** Another compose file, parsed and interpolated (the caller caches it). */
  readonly loadFile: (absPath: string) => TreeMap;
}

export function resolveExtends(tree: TreeMap, ctx: ExtendsContext): TreeMap {
  const services = tree.services;
  if (!isMap(services) || !Object.values(services).some((s) => isMap(s) && 'extends' in s)) return tree;
  const resolver = new ExtendsResolver(ctx);
  const out: TreeMap = sameOrigin({}, services);
  for (const name of Object.keys(services)) {
    const resolved = resolver.service({ file: ctx.file, tree }, name, []);
    out[name] = resolved === FAILED ? services[name] : resolved;
  }
  resolver.sink.throwIfAny();
  return { ...tree, services: out };
}

/** A compose file whose services can be extended. */
interface Source {
  readonly file: string;
  readonly tree: TreeMap;
}

interface Link {
  readonly file: string;
  readonly name: string;
}

/** The resolution of a service failed; its problem is already reported. */
const FAILED = Symbol('extends failed');
type Result = Node | typeof FAILED;

class ExtendsResolver {
  readonly sink = new DiagnosticSink();
  private readonly done = new Map<string, Result>();
  private readonly files = new Map<string, Source | typeof FAILED>();

  constructor(private readonly ctx: ExtendsContext) {}

  /** `name` of `src`, with its extends chain applied. */
  service(src: Source, name: string, chain: readonly Link[]): Result {
    const memo = `${src.file}\0${name}`;
    if (this.done.has(memo)) return this.done.get(memo) as Result;
    const result = this.resolve(src, name, chain);
    this.done.set(memo, result);
    return result;
  }

  private resolve(src: Source, name: string, chain: readonly Link[]): Result {
    const services = src.tree.services as TreeMap;
    const svc = services[name];
    if (!isMap(svc) || !('extends' in svc)) return svc;
    const here = ['services', name, 'extends'];
    const extendsAt = keyPos(svc, 'extends', 'key');
    const ext = svc.extends;

    let ref: string | undefined;
    let fileRef: string | undefined;
    let refAt: Pos | undefined = keyPos(svc, 'extends');
    if (typeof ext === 'string') {
      ref = ext;
    } else if (isMap(ext)) {
      if (typeof ext.service === 'string') ref = ext.service;
      refAt = keyPos(ext, 'service');
      if (typeof ext.file === 'string' && ext.file !== '') fileRef = ext.file;
    }
    if (ref === undefined || ref === '') {
      return this.fail(diagnostic(refAt ?? extendsAt, here, 'extends needs the name of the service to extend (`extends: name` or `extends: {service: name}`)'));
    }

    // Where the base service lives.
    let base: Source = src;
    if (fileRef !== undefined) {
      const abs = path.isAbsolute(fileRef) ? fileRef : path.join(path.dirname(src.file), fileRef);
      if (abs !== src.file) {
        const loaded = this.load(abs, fileRef, isMap(ext) ? keyPos(ext, 'file') : extendsAt, [...here, 'file']);
        if (loaded === FAILED) return FAILED;
        base = loaded;
      }
    }
    const baseServices = base.tree.services;
    if (!isMap(baseServices) || !(ref in baseServices)) {
      const where = base === src ? 'in this file' : `in ${fileRef}`;
      const known = isMap(baseServices) ? Object.keys(baseServices) : [];
      const hint = didYouMean(ref, known) || (known.length > 0 ? ` (services there: ${known.join(', ')})` : '');
      return this.fail(diagnostic(refAt ?? extendsAt, isMap(ext) ? [...here, 'service'] : here, `cannot extend service "${ref}": no such service ${where}${hint}`));
    }

    // Cycles: the chain so far, this service, and the base again.
    const link: Link = { file: src.file, name };
    const next: Link = { file: base.file, name: ref };
    const visiting = [...chain, link];
    if (visiting.some((l) => l.file === next.file && l.name === next.name)) {
      const start = visiting.findIndex((l) => l.file === next.file && l.name === next.name);
      const names = [...visiting.slice(start), next].map((l) => this.show(l));
      return this.fail(diagnostic(extendsAt, here, `extends cycle: ${names.join(' -> ')}`));
    }

    const resolvedBase = this.service(base, ref, visiting);
    if (resolvedBase === FAILED) return FAILED;
    let baseService: Node = resolvedBase;
    if (isMap(baseService) && base.file !== src.file) {
      baseService = resolveServicePaths(baseService, path.dirname(base.file));
    }

    const local: TreeMap = sameOrigin({}, svc);
    for (const k of Object.keys(svc)) if (k !== 'extends') local[k] = svc[k];
    if (!isMap(baseService)) return withoutMergeTags(local); // extending an empty service
    return mergeAt(baseService, local, ['services', name]);
  }

  private load(abs: string, written: string, at: Pos | undefined, keyPath: string[]): Source | typeof FAILED {
    const cached = this.files.get(abs);
    if (cached !== undefined) return cached;
    let result: Source | typeof FAILED;
    try {
      result = { file: abs, tree: this.ctx.loadFile(abs) };
    } catch (e) {
      // Problems inside that file keep their own positions; a file that cannot be read is reported here.
      if (e instanceof ValidationError && e.diagnostics.some((d) => d.pos !== undefined)) {
        this.sink.addAll(e.diagnostics);
      } else {
        const reason = e instanceof ValidationError ? e.diagnostics.map((d) => d.message).join('; ') : e instanceof Error ? e.message : String(e);
        this.sink.add(diagnostic(at, keyPath, `cannot read the extended file ${written} (${abs}): ${reason}`));
      }
      result = FAILED;
    }
    this.files.set(abs, result);
    return result;
  }

  private fail(d: Diagnostic): typeof FAILED {
    this.sink.add(d);
    return FAILED;
  }

  private show(l: Link): string {
    return l.file === this.ctx.file ? l.name : `${l.name} (${path.basename(l.file)})`;
  }
}
