import { conmonArgs, type MonitorOptions } from '../../../../../../src/engine/bundled/containers/monitor/conmon-args';

const base: MonitorOptions = {
  id: 'a'.repeat(64),
  name: 'web-1',
  runtime: { name: 'runc', path: '/usr/sbin/runc', version: '1.1.5' },
  runtimeRoot: '/run/tscompose/runtime',
  bundle: '/var/lib/tscompose/containers/aaa/bundle',
  exitDir: '/run/tscompose/exits',
  persistDir: '/run/tscompose/containers/aaa/persist',
  socketDir: '/run/tscompose/containers/aaa/sockets',
  pidFile: '/run/tscompose/containers/aaa/pidfile',
  monitorPidFile: '/run/tscompose/containers/aaa/conmon.pid',
  logPath: '/var/lib/tscompose/containers/aaa/ctr.log',
  tty: false,
  openStdin: false,
};

/** The value after `flag` (each flag once). */
function valueOf(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('conmonArgs', () => {
  it('passes every directory and the runtime with its state root', () => {
    const args = conmonArgs(base);
    expect(valueOf(args, '--api-version')).toBe('1');
    expect(valueOf(args, '-c')).toBe(base.id);
    expect(valueOf(args, '-u')).toBe(base.id);
    expect(valueOf(args, '-r')).toBe('/usr/sbin/runc');
    expect(valueOf(args, '-b')).toBe(base.bundle);
    expect(valueOf(args, '-p')).toBe(base.pidFile);
    expect(valueOf(args, '-n')).toBe('web-1');
    expect(valueOf(args, '--exit-dir')).toBe(base.exitDir);
    expect(valueOf(args, '--persist-dir')).toBe(base.persistDir);
    expect(valueOf(args, '-l')).toBe(`k8s-file:${base.logPath}`);
    expect(valueOf(args, '--conmon-pidfile')).toBe(base.monitorPidFile);
    expect(valueOf(args, '--socket-dir-path')).toBe(base.socketDir);
    expect(valueOf(args, '--runtime-arg')).toBe('--root=/run/tscompose/runtime');
    expect(args).not.toContain('-t');
    expect(args).not.toContain('-i');
    expect(args).not.toContain('--log-size-max');
  });

  it('adds the TTY, stdin and log size flags when asked', () => {
    const args = conmonArgs({ ...base, tty: true, openStdin: true, logSizeMax: 10 * 1024 * 1024 });
    expect(args).toContain('-t');
    expect(args).toContain('-i');
    expect(valueOf(args, '--log-size-max')).toBe('10485760');
    expect(conmonArgs({ ...base, logSizeMax: 0 })).not.toContain('--log-size-max');
  });
});
