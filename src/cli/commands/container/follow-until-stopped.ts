/**
 * An attached `run`: the container's output until it stops for good, then its exit code.
 * SIGINT and SIGTERM go to the container meanwhile (Docker's sig-proxy); a third SIGINT stops
 * following and leaves the container running (then the exit code is undefined).
 */
import type { OpenedEngine } from '../../command-context';
import { printLogs, type LogSinks } from './print-logs';

const GIVE_UP_AFTER = 3;

export async function followUntilStopped(engine: OpenedEngine, id: string, sinks: LogSinks): Promise<number | undefined> {
  const abort = new AbortController();
  let interrupts = 0;
  const forward = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGINT' && ++interrupts >= GIVE_UP_AFTER) abort.abort();
    else void engine.killContainer(id, signal).catch(() => undefined);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    await printLogs(engine.containerLogs(id, { follow: true, signal: abort.signal }), sinks);
    if (abort.signal.aborted) return undefined;
    return (await engine.waitContainer(id, { condition: 'not-running' })).exitCode;
  } finally {
    process.removeListener('SIGINT', forward);
    process.removeListener('SIGTERM', forward);
  }
}
