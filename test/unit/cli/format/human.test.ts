import { humanAge, humanDuration, humanSize, shortId, table } from '../../../../src/cli/format/human';

describe('humanSize (decimal units, three significant digits, as docker image ls)', () => {
  it.each([
    [0, '0B'],
    [512, '512B'],
    [1000, '1kB'],
    [4_262_000, '4.26MB'],
    [72_760_000, '72.8MB'],
    [124_400_000, '124MB'],
    [1_240_000_000, '1.24GB'],
  ])('%d bytes → %s', (bytes, text) => expect(humanSize(bytes)).toBe(text));
});

describe('humanDuration (Docker’s wording)', () => {
  const s = 1000;
  const h = 3600 * s;
  it.each([
    [500, 'Less than a second'],
    [1 * s, '1 second'],
    [42 * s, '42 seconds'],
    [60 * s, 'About a minute'],
    [5 * 60 * s, '5 minutes'],
    [h, 'About an hour'],
    [30 * h, '30 hours'],
    [3 * 24 * h, '3 days'],
    [3 * 7 * 24 * h, '3 weeks'],
    [90 * 24 * h, '3 months'],
    [3 * 365 * 24 * h, '3 years'],
  ])('%d ms → %s', (ms, text) => expect(humanDuration(ms)).toBe(text));

  it('humanAge says N/A for a missing or bad time and "ago" otherwise', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(humanAge(undefined, now)).toBe('N/A');
    expect(humanAge('not a date', now)).toBe('N/A');
    expect(humanAge('2026-11-23T10:00:00Z', now)).toBe('2 hours ago');
  });
});

it('shortId drops the algorithm and keeps 12 hex digits', () => {
  expect(shortId('sha256:5637c8601f2ffeaadc5945e09142684c935e2752993694d458354d2b84099574')).toBe('5637c8601f2f');
});

it('table pads every column but the last to its widest cell', () => {
  expect(table(['A', 'LONG HEADER', 'Z'], [['xyz', 'b', 'end'], ['q', 'bb', '']])).toBe(
    'A     LONG HEADER   Z\n' + 'xyz   b             end\n' + 'q     bb\n',
  );
});
