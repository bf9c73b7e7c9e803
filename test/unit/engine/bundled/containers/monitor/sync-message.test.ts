import { parseSyncMessage } from '../../../../../../src/engine/bundled/containers/monitor/sync-message';

describe('parseSyncMessage', () => {
  it('reads the container PID', () => {
    expect(parseSyncMessage('{"data": 10122}\n')).toEqual({ ok: true, pid: 10122 });
    expect(parseSyncMessage('{"data": 10122}')).toEqual({ ok: true, pid: 10122 });
  });

  it('waits for a message still arriving', () => {
    expect(parseSyncMessage('')).toBeUndefined();
    expect(parseSyncMessage('{"data": 10')).toBeUndefined();
  });

  it("turns a failure into the runtime's own one-line message", () => {
    const text = '{"data": -1, "message": "time=\\"2026-11-23T17:35:46Z\\" level=error msg=\\"runc create failed: unable to start container process: error during container init: error mounting \\\\\\"/nonexistent/path\\\\\\" to rootfs at \\\\\\"/x\\\\\\": stat /nonexistent/path: no such file or directory\\"\\n"}\n';
    expect(parseSyncMessage(text)).toEqual({
      ok: false,
      message: 'runc create failed: unable to start container process: error during container init: error mounting "/nonexistent/path" to rootfs at "/x": stat /nonexistent/path: no such file or directory',
    });
  });

  it('reports a failure without a message, and garbage', () => {
    expect(parseSyncMessage('{"data": -1}\n')).toEqual({ ok: false, message: 'conmon reported -1 without a message' });
    expect(parseSyncMessage('not json\n')).toEqual({ ok: false, message: 'conmon wrote an unreadable sync message: not json' });
  });
});
