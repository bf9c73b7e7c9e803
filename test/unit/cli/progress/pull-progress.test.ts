import type { PullEvent } from '../../../../src/engine/engine';
import { PullProgress, renderLine } from '../../../../src/cli/progress/pull-progress';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const events: PullEvent[] = [
  { kind: 'resolving', ref: 'wordpress:php7.4' },
  { kind: 'resolved', ref: 'wordpress:php7.4', digest: `sha256:${'c'.repeat(64)}`, layers: 2 },
  { kind: 'layer', digest: A, status: 'exists', current: 10, total: 10 },
  { kind: 'layer', digest: B, status: 'waiting', current: 0, total: 100 },
  { kind: 'layer', digest: B, status: 'downloading', current: 0, total: 100 },
  { kind: 'layer', digest: B, status: 'downloading', current: 50, total: 100 },
  { kind: 'layer', digest: B, status: 'extracting', current: 100, total: 100 },
  { kind: 'layer', digest: B, status: 'done', current: 100, total: 100 },
  { kind: 'done', ref: 'wordpress:php7.4', id: `sha256:${'d'.repeat(64)}` },
];

function run(mode: 'plain' | 'json' | 'quiet' | 'tty'): string {
  let out = '';
  const view = new PullProgress(mode, (t) => (out += t), 'php7.4: Pulling from library/wordpress');
  for (const e of events) view.event(e);
  view.finish();
  return out;
}

describe('PullProgress', () => {
  it('plain: the header once the image is found, then one line per layer status (not per chunk)', () => {
    expect(run('plain')).toBe(
      [
        'php7.4: Pulling from library/wordpress',
        'aaaaaaaaaaaa: Already exists',
        'bbbbbbbbbbbb: Pulling fs layer',
        'bbbbbbbbbbbb: Downloading',
        'bbbbbbbbbbbb: Extracting',
        'bbbbbbbbbbbb: Pull complete',
        '',
      ].join('\n'),
    );
  });

  it('json: every event as one JSON line', () => {
    const lines = run('json').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as PullEvent)).toEqual(events);
  });

  it('quiet: nothing', () => {
    expect(run('quiet')).toBe('');
  });

  it('tty: redraws the layer lines in place and ends with every layer’s final status', () => {
    const out = run('tty');
    expect(out).toMatch(/\x1b\[\dA/); // it did move back up to redraw
    expect(screen(out)).toEqual(['php7.4: Pulling from library/wordpress', 'aaaaaaaaaaaa: Already exists', 'bbbbbbbbbbbb: Pull complete']);
  });
});

describe('renderLine', () => {
  it('draws a 50-wide bar with the sizes while downloading', () => {
    const line = renderLine({ id: 'bbbbbbbbbbbb', status: 'downloading', current: 12_300_000, total: 30_000_000 });
    expect(line).toBe(`bbbbbbbbbbbb: Downloading [${'='.repeat(20)}>${' '.repeat(29)}]  12.3MB/30MB`);
  });

  it('a full bar has no arrow, an empty one starts with it', () => {
    expect(renderLine({ id: 'x', status: 'extracting', current: 5, total: 5 })).toContain(`[${'='.repeat(50)}]`);
    expect(renderLine({ id: 'x', status: 'downloading', current: 0, total: 5 })).toContain(`[>${' '.repeat(49)}]`);
  });

  it('words only for statuses without progress', () => {
    expect(renderLine({ id: 'x', status: 'verifying', current: 5, total: 5 })).toBe('x: Verifying Checksum');
  });
});

/** What a terminal shows after `out`: handles cursor-up (ESC[nA), erase-line (ESC[2K) and newlines. */
function screen(out: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  for (const token of out.split(/(\x1b\[\d*[AK]|\n)/)) {
    if (token === '\n') {
      row++;
      if (lines.length <= row) lines.push('');
    } else if (/^\x1b\[\d*A$/.test(token)) {
      row = Math.max(0, row - Number(token.slice(2, -1) || '1'));
    } else if (token === '\x1b[2K') {
      lines[row] = '';
    } else {
      lines[row] = (lines[row] ?? '') + token;
    }
  }
  return lines.filter((l, i) => i < lines.length - 1 || l !== '');
}
