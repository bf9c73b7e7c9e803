/**
 * What conmon writes on its sync pipe (`_OCI_SYNCPIPE`) once the runtime's `create` is done:
 * one JSON object per line, `{"data": <container pid>}` on success, `{"data": -1, "message":
 * "<the runtime's stderr>"}` on failure. The message is the runtime's logrus output, so the
 * one-line explanation is dug out of it.
 */
import { runtimeMessage } from '../runtime/runtime-error';

export type SyncResult = { readonly ok: true; readonly pid: number } | { readonly ok: false; readonly message: string };

/** The first complete message in `text`, or undefined while none is complete. */
export function parseSyncMessage(text: string): SyncResult | undefined {
  const nl = text.indexOf('\n');
  const line = (nl < 0 ? text : text.slice(0, nl)).trim();
  if (line === '' || (nl < 0 && !line.endsWith('}'))) return undefined;
  let j: { data?: unknown; message?: unknown };
  try {
    j = JSON.parse(line) as typeof j;
  } catch {
    if (nl < 0) return undefined; // not finished yet
    return { ok: false, message: `conmon wrote an unreadable sync message: ${line.slice(0, 300)}` };
  }
  if (typeof j.data === 'number' && j.data > 0) return { ok: true, pid: j.data };
  const raw = typeof j.message === 'string' ? j.message : '';
  return { ok: false, message: runtimeMessage(raw) || raw.trim() || `conmon reported ${JSON.stringify(j.data)} without a message` };
}
