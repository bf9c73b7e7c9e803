import type { LogLine } from '../../../../../src/engine/containers';
import { formatLogLine, printLogs } from '../../../../../src/cli/commands/container/print-logs';

const line = (stream: LogLine['stream'], text: string, partial = false): LogLine => ({ stream, text, time: '2026-11-23T12:00:00.123456789Z', ...(partial ? { partial } : {}) });

async function* lines(...items: LogLine[]): AsyncGenerator<LogLine> {
  yield* items;
}

describe('printing log lines', () => {
  it('each line to the stream it came from, a partial one without its newline', async () => {
    const out: string[] = [];
    const err: string[] = [];
    await printLogs(lines(line('stdout', 'a'), line('stderr', 'b'), line('stdout', 'pro', true), line('stdout', 'mpt')), { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) });
    expect(out.join('')).toBe('a\nprompt\n');
    expect(err.join('')).toBe('b\n');
  });

  it('-t puts the RFC 3339 time with nanoseconds first', () => {
    expect(formatLogLine(line('stdout', 'hi'), true)).toBe('2026-11-23T12:00:00.123456789Z hi\n');
    expect(formatLogLine(line('stdout', 'hi'), false)).toBe('hi\n');
  });
});
