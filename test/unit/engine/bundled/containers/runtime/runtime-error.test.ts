import { runtimeError, runtimeMessage } from '../../../../../../src/engine/bundled/containers/runtime/runtime-error';
import { EngineError, ObjectConflictError, ObjectNotFoundError } from '../../../../../../src/engine/errors';

describe('runtimeMessage', () => {
  it('takes the msg of runc text logs, Go-unquoted', () => {
    const stderr = 'time="2026-11-23T17:35:49Z" level=error msg="container does not exist"\n';
    expect(runtimeMessage(stderr)).toBe('container does not exist');
    const quoted = 'time="x" level=error msg="runc create failed: error mounting \\"/nonexistent/path\\" to rootfs at \\"/x\\": stat: no such file\\tor dir"\n';
    expect(runtimeMessage(quoted)).toBe('runc create failed: error mounting "/nonexistent/path" to rootfs at "/x": stat: no such file\tor dir');
  });

  it('prefers the last error over warnings and reads JSON logs', () => {
    const log = [
      '{"level":"warning","msg":"something odd","time":"t"}',
      '{"level":"error","msg":"exec failed: unable to start container process: exec: \\"/nonexist\\": stat /nonexist: no such file or directory","time":"t"}',
      '{"level":"info","msg":"later chatter","time":"t"}',
    ].join('\n');
    expect(runtimeMessage(log)).toBe('exec failed: unable to start container process: exec: "/nonexist": stat /nonexist: no such file or directory');
  });

  it('takes a plain line when there is no logrus structure (crun)', () => {
    expect(runtimeMessage('cgroups in hybrid mode not supported, drop all controllers from cgroupv2\n')).toBe('cgroups in hybrid mode not supported, drop all controllers from cgroupv2');
    expect(runtimeMessage('\n  \n')).toBe('');
  });

  it('takes an unquoted msg word', () => {
    expect(runtimeMessage('level=fatal msg=oops other=1')).toBe('oops');
  });
});

describe('runtimeError', () => {
  it('maps an unknown container to ObjectNotFoundError', () => {
    const e = runtimeError('runc', 'state of container abc', 'container does not exist');
    expect(e).toBeInstanceOf(ObjectNotFoundError);
    expect(e.message).toBe('runc state of container abc: container does not exist');
  });

  it('maps wrong states to ObjectConflictError', () => {
    expect(runtimeError('runc', 'kill', 'container not running')).toBeInstanceOf(ObjectConflictError);
    expect(runtimeError('runc', 'delete', 'cannot delete container x that is not stopped: running')).toBeInstanceOf(ObjectConflictError);
    expect(runtimeError('runc', 'resume', 'container not paused')).toBeInstanceOf(ObjectConflictError);
    expect(runtimeError('runc', 'exec', 'exec failed: cannot exec in a stopped container')).toBeInstanceOf(ObjectConflictError);
  });

  it('keeps other failures (also a missing executable) as EngineError', () => {
    const e = runtimeError('runc', 'exec', 'exec failed: exec: "x": executable file not found in $PATH');
    expect(e).toBeInstanceOf(EngineError);
    expect(e).not.toBeInstanceOf(ObjectNotFoundError);
    expect(runtimeError('runc', 'start', '').message).toBe('runc start: failed without a message');
  });
});
