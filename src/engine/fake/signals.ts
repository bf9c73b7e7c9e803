/** Linux signal names and numbers, as `docker kill --signal` accepts them (`SIGTERM`, `TERM`, `15`). */
import { containerErrors } from '../container-errors';

const NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
  SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22,
  SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29,
  SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31,
};

export interface Signal {
  /** `SIGTERM` (real-time signals: `SIGRTMIN+3`). */
  readonly name: string;
  readonly number: number;
}

/** The signal `input` names; InvalidArgumentError "Invalid signal: x" when it names none. */
export function parseSignal(input: string): Signal {
  const upper = input.trim().toUpperCase();
  if (/^\d+$/.test(upper)) {
    const n = Number(upper);
    if (n >= 1 && n <= 64) {
      const name = Object.keys(NUMBERS).find((k) => NUMBERS[k] === n) ?? (n >= 34 ? `SIGRTMIN+${n - 34}` : `SIG${n}`);
      return { name, number: n };
    }
    throw containerErrors.invalidSignal(input);
  }
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const known = NUMBERS[name];
  if (known !== undefined) return { name, number: known };
  const rt = /^SIGRTMIN(?:\+(\d+))?$/.exec(name) ?? /^SIGRTMAX(?:-(\d+))?$/.exec(name);
  if (rt) {
    const n = name.startsWith('SIGRTMIN') ? 34 + Number(rt[1] ?? 0) : 64 - Number(rt[1] ?? 0);
    if (n >= 34 && n <= 64) return { name, number: n };
  }
  throw containerErrors.invalidSignal(input);
}

/** Signals whose default action is not to end the process (a fake container survives them). */
export const NON_FATAL_SIGNALS: ReadonlySet<string> = new Set(['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU']);
