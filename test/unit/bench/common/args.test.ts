import { count, parseFlags } from '../../../../bench/common/args';

describe('bench flags', () => {
  const usage = 'usage: run.ts [--runs N] [--json]';
  const parse = (argv: string[]): { runs: number; json: boolean } => {
    const args = { runs: 3, json: false };
    parseFlags(argv, usage, {
      '--runs': (flag, next) => { args.runs = count(flag, next(), 1); },
      '--json': () => { args.json = true; },
    });
    return args;
  };

  it('runs each flag with its value, and keeps defaults for the rest', () => {
    expect(parse([])).toEqual({ runs: 3, json: false });
    expect(parse(['--json', '--runs', '7'])).toEqual({ runs: 7, json: true });
  });

  it('refuses unknown arguments with the usage, and bad or missing counts', () => {
    expect(() => parse(['--fast'])).toThrow(`unknown argument: --fast\n${usage}`);
    expect(() => parse(['constructor'])).toThrow('unknown argument: constructor');
    expect(() => parse(['--runs', '0'])).toThrow('--runs needs an integer >= 1, got 0');
    expect(() => parse(['--runs', '1.5'])).toThrow('--runs needs an integer >= 1, got 1.5');
    expect(() => parse(['--runs'])).toThrow('--runs needs an integer >= 1, got nothing');
  });
});
