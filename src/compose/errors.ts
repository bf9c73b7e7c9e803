import { formatPath, type Pos, type TreePath } from './loader/tree';

/**
 * One problem found while loading: where it is (file:line:col), which key
 * (`services.web.ports[1]`) and why, in words a person understands.
 */
export interface Diagnostic {
  readonly pos?: Pos;
  /** The key path, already formatted (`services.web.ports[1]`). Empty for file-level problems. */
  readonly path: string;
  readonly message: string;
  /** Only when the caller knows the file but not the place in it. */
  readonly file?: string;
}

export function diagnostic(pos: Pos | undefined, path: TreePath | string, message: string, file?: string): Diagnostic {
  return { pos, path: typeof path === 'string' ? path : formatPath(path), message, file: file ?? pos?.file };
}

/** `file:line:col  key.path  reason` */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}` : d.file ?? '';
  return [where, d.path, d.message].filter((s) => s !== '').join('  ');
}

/** Base class of every error the compose layer reports to the user. */
export class ComposeError extends Error {
  override readonly name: string = 'ComposeError';
}

/** The model is invalid: every problem found in one run. */
export class ValidationError extends ComposeError {
  override readonly name = 'ValidationError';
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
  }
}

/** A file, service or resource that was asked for does not exist. */
export class NotFoundError extends ComposeError {
  override readonly name = 'NotFoundError';
}

/** Two things claim the same name or place. */
export class ConflictError extends ComposeError {
  override readonly name = 'ConflictError';
}

/** Collects diagnostics across a stage; throws them all at once. */
export class DiagnosticSink {
  private readonly list: Diagnostic[] = [];
  add(d: Diagnostic): void {
    this.list.push(d);
  }
  addAll(ds: readonly Diagnostic[]): void {
    for (const d of ds) this.list.push(d);
  }
  get size(): number {
    return this.list.length;
  }
  get all(): readonly Diagnostic[] {
    return this.list;
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError(this.list);
  }
}

/** Warnings go to the caller (the CLI prints them on stderr); stages never print. */
export interface Warn {
  (d: Diagnostic): void;
}
