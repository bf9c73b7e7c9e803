import type { LogRecord } from '../../../../../../src/engine/bundled/containers/monitor/k8s-log-record';
import { PartialJoiner } from '../../../../../../src/engine/bundled/containers/monitor/partial-joiner';

const rec = (t: number, stream: 'stdout' | 'stderr', partial: boolean, text: string): LogRecord => ({ timeNs: BigInt(t), stream, partial, text });

describe('PartialJoiner', () => {
  it('passes whole lines through', () => {
    const j = new PartialJoiner();
    expect(j.push(rec(1, 'stdout', false, 'a'))).toEqual([{ stream: 'stdout', timeNs: 1n, text: 'a', partial: false }]);
    expect(j.hasPending).toBe(false);
  });

  it('joins pieces with their end, timed at the first piece; the other stream waits behind the unfinished line', () => {
    const j = new PartialJoiner();
    expect(j.push(rec(1, 'stdout', true, 'hel'))).toEqual([]);
    expect(j.push(rec(2, 'stderr', false, 'oops'))).toEqual([]); // after "hel": waits
    expect(j.push(rec(3, 'stdout', true, 'lo '))).toEqual([]);
    // the stdout line ends after "oops": "oops" first
    expect(j.push(rec(4, 'stdout', false, 'world'))).toEqual([
      { stream: 'stderr', timeNs: 2n, text: 'oops', partial: false },
      { stream: 'stdout', timeNs: 1n, text: 'hello world', partial: false },
    ]);
    expect(j.flush()).toEqual([]);
  });

  it('flushes unfinished lines as partial at their last piece, with the lines held behind them', () => {
    const j = new PartialJoiner();
    j.push(rec(5, 'stderr', true, 'err-'));
    j.push(rec(6, 'stdout', true, 'prompt> '));
    expect(j.push(rec(7, 'stderr', true, 'more'))).toEqual([]);
    expect(j.push(rec(8, 'stdout', true, '…'))).toEqual([]);
    expect(j.hasPending).toBe(true);
    expect(j.flush()).toEqual([
      { stream: 'stderr', timeNs: 5n, text: 'err-more', partial: true },
      { stream: 'stdout', timeNs: 6n, text: 'prompt> …', partial: true },
    ]);
    expect(j.hasPending).toBe(false);
    expect(j.push(rec(9, 'stdout', false, 'typed'))).toEqual([{ stream: 'stdout', timeNs: 9n, text: 'typed', partial: false }]);
  });

  it('puts an unfinished line before the whole lines written after its last piece', () => {
    const j = new PartialJoiner();
    j.push(rec(1, 'stderr', true, 'Password: '));
    expect(j.push(rec(2, 'stdout', false, 'later'))).toEqual([]);
    expect(j.flush().map((l) => l.text)).toEqual(['Password: ', 'later']);
  });
});
