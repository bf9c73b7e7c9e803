/**
 * What an OCI runtime said when it failed, as one line, and the engine error it means.
 *
 * runc logs through logrus: on stderr as text (`time="…" level=error msg="container does not
 * exist"`, msg Go-quoted when it has spaces or quotes), with `--log-format json` as JSON lines
 * (`{"level":"error","msg":"…"}`); crun prints `<what>: <why>` lines. The last error-level
 * message is the one that explains the failure.
 */
import { EngineError, ObjectConflictError, ObjectNotFoundError } from '../../../errors';

/** Reads a Go-quoted string starting at `text[start]` (a `"`); returns it unquoted. */
function goUnquote(text: string, start: number): string {
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') return out;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = text[++i];
    if (n === 'n') out += '\n';
    else if (n === 't') out += '\t';
    else if (n === 'r') out += '\r';
    else if (n === 'u' || n === 'x') {
      const len = n === 'u' ? 4 : 2;
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 1 + len), 16));
      i += len;
    } else if (n !== undefined) out += n;
  }
  return out;
}

function messageOfLine(line: string): { level?: string; msg: string } | undefined {
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('{')) {
    try {
      const j = JSON.parse(trimmed) as { level?: unknown; msg?: unknown };
      if (typeof j.msg === 'string') return { ...(typeof j.level === 'string' ? { level: j.level } : {}), msg: j.msg };
    } catch {
      // not JSON after all: plain text
    }
  }
  const at = trimmed.search(/(^|\s)msg=/);
  if (at >= 0) {
    const levelMatch = /(?:^|\s)level=(\w+)/.exec(trimmed);
    const start = trimmed.indexOf('msg=', at) + 4;
    const msg = trimmed[start] === '"' ? goUnquote(trimmed, start) : (trimmed.slice(start).split(/\s/)[0] ?? '');
    return { ...(levelMatch?.[1] ? { level: levelMatch[1] } : {}), msg };
  }
  return { msg: trimmed };
}

/** The runtime's explanation in `output` (stderr or a --log file), one line; '' when it said nothing. */
export function runtimeMessage(output: string): string {
  const lines = output.split('\n').map(messageOfLine).filter((m): m is { level?: string; msg: string } => m !== undefined);
  const errors = lines.filter((m) => m.level === undefined || m.level === 'error' || m.level === 'fatal');
  const chosen = errors[errors.length - 1] ?? lines[lines.length - 1];
  return chosen ? chosen.msg.replace(/\s*\n\s*/g, '; ').trim() : '';
}

/** The engine error for a runtime failure: the container unknown, in the wrong state, or else. */
export function runtimeError(runtimeName: string, what: string, message: string): EngineError {
  const text = `${runtimeName} ${what}: ${message || 'failed without a message'}`;
  if (/does not exist|not found|no such container/i.test(message) && !/executable file not found|no such file or directory/i.test(message)) {
    return new ObjectNotFoundError(text);
  }
  if (/not running|not paused|is paused|is not stopped|not stopped|already (exists|running|paused)|container is (stopped|paused)|in a (stopped|paused|created) container|cannot (start|pause|resume) a container/i.test(message)) {
    return new ObjectConflictError(text);
  }
  return new EngineError(text);
}
