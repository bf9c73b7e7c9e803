/**
 * The mount data for an overlay root file system: `lowerdir=<top>:…:<bottom>,upperdir=…,workdir=…`.
 *
 * mount(2) takes its data in one page (4096 bytes here, NUL included), and a layer directory of
 * the layer store is ~100 characters (`<root>/layers/<64 hex>/diff`), so an image of more than
 * ~35 layers does not fit. Then — and also when a layer path holds a character overlay's option
 * syntax reserves (`,` `:` `\`) — the plan switches to index symlinks: a scratch directory gets
 * one symlink per layer (`0` = the topmost, `1`, …, in base 36), mount(8) runs with that
 * directory as its working directory and the data names the layers relatively
 * (`lowerdir=0:1:2…`). The kernel resolves the links once, at mount time, so the scratch
 * directory is removed right after the mount. That holds up to overlayfs's own limit of 500
 * lower layers. (Docker's overlay2 keeps permanent short links in `l/`; one-shot links need no
 * bookkeeping.)
 */
import { InvalidArgumentError } from '../../../errors';

export interface OverlayDirs {
  readonly upper: string;
  readonly work: string;
  readonly merged: string;
}

export interface OverlayPlan {
  /** The mount data (`-o`). */
  readonly data: string;
  /** Index symlinks to make in a scratch directory, which is then mount's working directory. */
  readonly links?: readonly { readonly name: string; readonly target: string }[];
}

export interface OverlayPlanOptions {
  /** Bytes mount(2) accepts, NUL included: the page size. */
  readonly pageSize: number;
  /** Add `index=off` (the kernel's default is on: Docker turns it off too). */
  readonly indexOff: boolean;
}

/** overlayfs stacks at most this many lower directories (OVL_MAX_STACK). */
export const MAX_LOWER_LAYERS = 500;

/** A path overlay's option syntax can carry as it is. */
function plain(p: string): boolean {
  return p.startsWith('/') && !/[,:\\\n]/.test(p);
}

export function planOverlayMount(layerDirs: readonly string[], dirs: OverlayDirs, options: OverlayPlanOptions): OverlayPlan {
  if (layerDirs.length === 0) throw new InvalidArgumentError(`cannot mount a root file system at ${dirs.merged}: the image has no layers`);
  if (layerDirs.length > MAX_LOWER_LAYERS) {
    throw new InvalidArgumentError(`cannot mount a root file system of ${layerDirs.length} layers at ${dirs.merged}: overlayfs stacks at most ${MAX_LOWER_LAYERS} layers`);
  }
  for (const [what, p] of [['upper', dirs.upper], ['work', dirs.work]] as const) {
    if (!plain(p)) throw new InvalidArgumentError(`overlay ${what} directory ${JSON.stringify(p)} must be an absolute path without "," ":" or "\\"`);
  }
  const tail = `,upperdir=${dirs.upper},workdir=${dirs.work}${options.indexOff ? ',index=off' : ''}`;
  const topFirst = [...layerDirs].reverse();
  if (topFirst.every(plain)) {
    const data = `lowerdir=${topFirst.join(':')}${tail}`;
    if (Buffer.byteLength(data) < options.pageSize) return { data };
  }
  const links = topFirst.map((target, i) => ({ name: i.toString(36), target }));
  const data = `lowerdir=${links.map((l) => l.name).join(':')}${tail}`;
  if (Buffer.byteLength(data) >= options.pageSize) {
    throw new InvalidArgumentError(`cannot mount a root file system of ${layerDirs.length} layers at ${dirs.merged}: the overlay options do not fit in one page even with index links (upper and work paths too long?)`);
  }
  return { data, links };
}
