/**
 * A signal as the OCI runtimes take it on their command line. runc and crun both accept a
 * number, so every accepted spelling — `SIGTERM`, `TERM`, `term`, `15`, `SIGRTMIN+3`,
 * `RTMAX-1` — becomes the signal's number (Linux numbering).
 */
import { constants } from 'node:os';
import { InvalidArgumentError } from '../../../errors';

const SIGRTMIN = 34;
const SIGRTMAX = 64;

export function signalNumber(signal: string): number {
  const s = signal.trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n >= 1 && n <= SIGRTMAX) return n;
    throw new InvalidArgumentError(`invalid signal: ${signal} is not between 1 and ${SIGRTMAX}`);
  }
  const name = s.toUpperCase().replace(/^SIG/, '');
  const rt = /^RT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name);
  if (rt) {
    const base = rt[1] === 'MIN' ? SIGRTMIN : SIGRTMAX;
    const n = base + (rt[2] === '-' ? -1 : 1) * Number(rt[3] ?? 0);
    if (n >= SIGRTMIN && n <= SIGRTMAX) return n;
    throw new InvalidArgumentError(`invalid signal: ${signal} is outside SIGRTMIN…SIGRTMAX`);
  }
  const n = (constants.signals as Readonly<Record<string, number>>)[`SIG${name}`];
  if (n === undefined) throw new InvalidArgumentError(`invalid signal: ${signal}`);
  return n;
}
