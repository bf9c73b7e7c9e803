/**
 * Draws an image pull's progress the way `docker pull` does: one line per layer
 * (`c8cc93728d46: Downloading [=====>     ]  12.3MB/30MB`), redrawn in place on a terminal,
 * one line per status change otherwise, JSON lines with `--progress json`, nothing when quiet.
 *
 * A hand-made view rather than listr2: a pull is a fixed set of layer bars, not a task list,
 * and its lines must read like Docker's so people recognise them.
 */
import type { PullEvent } from '../../engine/engine';
import type { ProgressMode } from '../command-context';
import { humanSize, shortId } from '../format/human';

type LayerStatus = Extract<PullEvent, { kind: 'layer' }>['status'];

interface LayerLine {
  readonly id: string;
  status: LayerStatus;
  current: number;
  total: number;
}

const WORDS: Record<LayerStatus, string> = {
  waiting: 'Pulling fs layer',
  exists: 'Already exists',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  extracting: 'Extracting',
  done: 'Pull complete',
};

const BAR_WIDTH = 50;
/** Redraws at most this often on a terminal. */
const FRAME_MS = 100;

export class PullProgress {
  private readonly layers = new Map<string, LayerLine>();
  private drawn = 0;
  private lastFrame = 0;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param header what Docker prints once the image is found, before the layers:
   *               `php7.4: Pulling from library/wordpress`
   */
  constructor(
    private readonly mode: ProgressMode,
    private readonly write: (text: string) => void,
    private readonly header?: string,
  ) {}

  event(e: PullEvent): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'json') {
      this.write(`${JSON.stringify(e)}\n`);
      return;
    }
    if (e.kind === 'resolved' && this.header !== undefined) this.write(`${this.header}\n`);
    if (e.kind !== 'layer') return;
    const id = shortId(e.digest);
    const line = this.layers.get(id);
    const changed = line === undefined || line.status !== e.status;
    if (line === undefined) this.layers.set(id, { id, status: e.status, current: e.current, total: e.total });
    else Object.assign(line, { status: e.status, current: e.current, total: e.total });
    if (this.mode === 'plain') {
      // one line per status, not per chunk: logs stay readable
      if (changed) this.write(`${id}: ${WORDS[e.status]}\n`);
      return;
    }
    this.schedule();
  }

  /** Draws the final state (every layer's last status) and stops redrawing. */
  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.mode === 'tty') this.draw();
  }

  private schedule(): void {
    const wait = FRAME_MS - (Date.now() - this.lastFrame);
    if (wait <= 0) {
      this.draw();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, wait);
  }

  private draw(): void {
    this.lastFrame = Date.now();
    let out = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const line of this.layers.values()) out += `\x1b[2K${renderLine(line)}\n`;
    this.drawn = this.layers.size;
    this.write(out);
  }
}

/** One layer's line on a terminal. */
export function renderLine(line: { readonly id: string; readonly status: LayerStatus; readonly current: number; readonly total: number }): string {
  const word = WORDS[line.status];
  if (line.status !== 'downloading' && line.status !== 'extracting') return `${line.id}: ${word}`;
  if (line.total <= 0) return `${line.id}: ${word}  ${humanSize(line.current)}`;
  return `${line.id}: ${word.padEnd(11)} ${bar(line.current, line.total)}  ${humanSize(line.current)}/${humanSize(line.total)}`;
}

function bar(current: number, total: number): string {
  const filled = Math.max(0, Math.min(BAR_WIDTH, Math.floor((current / total) * BAR_WIDTH)));
  const rest = filled < BAR_WIDTH ? `>${' '.repeat(BAR_WIDTH - filled - 1)}` : '';
  return `[${'='.repeat(filled)}${rest}]`;
}
