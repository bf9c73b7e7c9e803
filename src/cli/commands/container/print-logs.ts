/** Writes a container's log lines to our stdout and stderr, each to the stream it came from. */
import type { LogLine } from '../../../engine/containers';

export interface LogSinks {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** `timestamps` puts the line's RFC 3339 time (nanoseconds) before it, as `docker logs -t`. */
export async function printLogs(lines: AsyncIterable<LogLine>, sinks: LogSinks, options: { readonly timestamps?: boolean } = {}): Promise<void> {
  for await (const line of lines) sinks[line.stream](formatLogLine(line, options.timestamps === true));
}

export function formatLogLine(line: LogLine, timestamps: boolean): string {
  return `${timestamps ? `${line.time} ` : ''}${line.text}${line.partial ? '' : '\n'}`;
}
