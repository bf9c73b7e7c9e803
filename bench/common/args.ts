/** Command-line flags of a bench: `--flag [value]`, `--help`, nothing else. */

/** Takes the flag, and its value when it has one (`next()` consumes the next argument). */
export type FlagHandler = (flag: string, next: () => string | undefined) => void;

/** Runs the handler of each flag in `argv`; `--help`/`-h` prints `usage` and exits; anything else throws. */
export function parseFlags(argv: readonly string[], usage: string, flags: Readonly<Record<string, FlagHandler>>): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    const handler = Object.prototype.hasOwnProperty.call(flags, arg) ? flags[arg] : undefined;
    if (handler === undefined) throw new Error(`unknown argument: ${arg}\n${usage}`);
    handler(arg, () => argv[++i]);
  }
}

/** `value` as a whole number >= `min`, else an error naming `flag`. */
export function count(flag: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}, got ${value ?? 'nothing'}`);
  return n;
}
