/**
 * The container commands' flows on the in-memory fake engine: what they ask the engine, what
 * they print, and how they end (exit codes through ExitCode, engine errors as they are).
 */
import { CommanderError } from 'commander';
import { containerCommand } from '../../../../../src/cli/commands/container';
import { ExitCode } from '../../../../../src/cli/commands/container/exit-code';
import type { CommandContext, OpenedEngine } from '../../../../../src/cli/command-context';
import { FakeEngine } from '../../../../../src/engine/fake/fake-engine';

interface Harness {
  readonly fake: FakeEngine;
  readonly out: string[];
  readonly err: string[];
  run(...args: string[]): Promise<void>;
  closed(): number;
}

function harness(env: Record<string, string> = {}): Harness {
  const fake = new FakeEngine();
  const out: string[] = [];
  const err: string[] = [];
  let closed = 0;
  const engine = Object.assign(Object.create(fake) as FakeEngine, { close: () => void closed++ }) as unknown as OpenedEngine;
  const unused = (): never => {
    throw new Error('not used by container commands');
  };
  const ctx: CommandContext = {
    compose: unused,
    project: unused,
    images: unused,
    containers: async () => engine,
    progress: () => 'plain',
    stdout: (t) => void out.push(t),
    stdoutIsTTY: () => false,
    stderr: () => ({ isTTY: false, color: false, write: (t) => void err.push(t) }),
  };
  const run = async (...args: string[]): Promise<void> => {
    const command = containerCommand(ctx, { env });
    for (const c of [command, ...command.commands]) c.exitOverride().configureOutput({ writeErr: (t) => void err.push(t) });
    await command.parseAsync(args, { from: 'user' });
  };
  return { fake, out, err, run, closed: () => closed };
}

const exitCodeOf = async (p: Promise<void>): Promise<number> =>
  p.then(
    () => 0,
    (e: unknown) => {
      if (e instanceof ExitCode) return e.exitCode;
      throw e;
    },
  );

describe('container commands on the fake engine', () => {
  it('run: attached, prints the container’s stdout and stderr apart and exits with its code', async () => {
    const h = harness();
    h.fake.addImage('busybox', { cmd: ['sh'] });
    h.fake.onStart((c) => {
      h.fake.emitLog(c.id, 'stdout', 'hello\n');
      h.fake.emitLog(c.id, 'stderr', 'oops\n');
      h.fake.exitContainer(c.id, 3);
    });
    expect(await exitCodeOf(h.run('run', '--name', 'one', 'busybox', 'sh', '-c', 'echo hello; exit 3'))).toBe(3);
    expect(h.out.join('')).toBe('hello\n');
    expect(h.err.join('')).toBe('oops\n');
    const info = await h.fake.inspectContainer('one');
    expect(info.spec.command).toEqual(['sh', '-c', 'echo hello; exit 3']);
    expect(info.state).toMatchObject({ status: 'exited', exitCode: 3 });
    expect(h.closed()).toBe(1);
  });

  it('run --rm removes the container after it exits; exit 0 is no error', async () => {
    const h = harness();
    h.fake.addImage('busybox');
    h.fake.onStart((c) => h.fake.exitContainer(c.id, 0));
    await h.run('run', '--rm', '--name', 'gone', 'busybox', 'true');
    expect(await h.fake.listContainers({ all: true })).toEqual([]);
  });

  it('run pulls a missing image first, with Docker’s lines on stderr', async () => {
    const h = harness();
    h.fake.addRemoteImage('busybox:latest');
    h.fake.onStart((c) => h.fake.exitContainer(c.id, 0));
    await h.run('run', '--rm', 'busybox', 'true');
    const err = h.err.join('');
    expect(err).toMatch(/^Unable to find image 'busybox:latest' locally\nlatest: Pulling from library\/busybox\n/);
    expect(err).toMatch(/: Pull complete\n/);
    expect(err).toMatch(/Status: Downloaded newer image for busybox:latest\n$/);
    expect(h.fake.calls.map((c) => c.method)).toContain('pullImage');
  });

  it('run --pull never fails on a missing image without pulling', async () => {
    const h = harness();
    h.fake.addRemoteImage('busybox:latest');
    await expect(h.run('run', '--pull', 'never', 'busybox', 'true')).rejects.toThrow(/busybox/);
    expect(h.fake.calls.map((c) => c.method)).not.toContain('pullImage');
  });

  it('run -d prints the ID and leaves the container running with the flags’ spec', async () => {
    const h = harness({ FROM_HOST: 'yes' });
    h.fake.addImage('busybox');
    await h.run('run', '-d', '--name', 'bg', '-e', 'A=1', '-e', 'FROM_HOST', '-l', 'app=x', '--restart', 'on-failure:2', '-m', '32m', '--init', 'busybox', 'sleep', '60');
    const info = await h.fake.inspectContainer('bg');
    expect(h.out).toEqual([`${info.id}\n`]);
    expect(info.state.status).toBe('running');
    expect(info.spec).toMatchObject({ env: ['A=1', 'FROM_HOST=yes'], labels: { app: 'x' }, restartPolicy: { name: 'on-failure', maxRetries: 2 }, resources: { memory: 32 << 20 }, init: true });
  });

  it('a name is made up when none is given', async () => {
    const h = harness();
    h.fake.addImage('busybox');
    await h.run('run', '-d', 'busybox', 'sleep', '60');
    const [info] = await h.fake.listContainers({});
    expect(info?.name).toMatch(/^[a-z]+_[a-z]+$/);
  });

  it('run -d --rm and run -i are refused with a reason, creating nothing', async () => {
    const h = harness();
    h.fake.addImage('busybox');
    await expect(h.run('run', '-d', '--rm', 'busybox', 'true')).rejects.toThrow('run -d --rm');
    await expect(h.run('run', '-i', 'busybox', 'true')).rejects.toThrow('run -i');
    expect(await h.fake.listContainers({ all: true })).toEqual([]);
  });

  it('stop, pause, unpause, kill, rm print each name; every container is tried and the failures reported together', async () => {
    const h = harness();
    h.fake.addImage('busybox');
    await h.run('run', '-d', '--name', 'aa', 'busybox', 'sleep', '60');
    await h.run('run', '-d', '--name', 'bb', 'busybox', 'sleep', '60');
    h.out.length = 0;
    await h.run('pause', 'aa');
    expect((await h.fake.inspectContainer('aa')).state.status).toBe('paused');
    await h.run('unpause', 'aa');
    await h.run('stop', '-t', '0', 'aa');
    await expect(h.run('kill', '-s', 'TERM', 'nope', 'bb', 'zilch')).rejects.toThrow('No such container: nope\nNo such container: zilch');
    expect(h.fake.calls.filter((c) => c.method === 'killContainer').map((c) => c.target)).toEqual(['nope', 'bb', 'zilch']);
    await h.run('rm', '-f', 'aa', 'bb');
    expect(h.out.join('')).toBe('aa\naa\naa\nbb\naa\nbb\n');
    expect(await h.fake.listContainers({ all: true })).toEqual([]);
  });

  it('wait prints the exit code; logs prints stdout and stderr apart, -t with times', async () => {
    const h = harness();
    h.fake.addImage('busybox');
    await h.run('run', '-d', '--name', 'ww', 'busybox', 'sh');
    h.fake.emitLog('ww', 'stdout', 'one\n');
    h.fake.emitLog('ww', 'stderr', 'two\n');
    h.fake.exitContainer('ww', 5);
    h.out.length = 0;
    await h.run('wait', 'ww');
    expect(h.out).toEqual(['5\n']);
    h.out.length = 0;
    await h.run('logs', 'ww');
    expect(h.out).toEqual(['one\n']);
    expect(h.err).toEqual(['two\n']);
    h.out.length = 0;
    await h.run('logs', '-t', '--tail', '1', 'ww');
    expect(h.out.join('') + h.err.join('')).toMatch(/^two\n\d{4}-\d\d-\d\dT[\d:.]+Z two\n$/);
  });

  it('exec passes the process’s exit code through', async () => {
    const h = harness();
    h.fake.addImage('busybox');
    await h.run('run', '-d', '--name', 'ex', 'busybox', 'sleep', '60');
    h.fake.onExec(() => ({ exitCode: 7 }));
    expect(await exitCodeOf(h.run('exec', 'ex', 'sh', '-c', 'exit 7'))).toBe(7);
    const call = h.fake.calls.filter((c) => c.method === 'exec');
    expect(call).toHaveLength(1);
  });

  it('inspect prints what it finds, then fails for the rest', async () => {
    const h = harness();
    h.fake.addImage('busybox', { env: ['PATH=/bin'] });
    await h.run('run', '-d', '--name', 'in', 'busybox', 'sleep', '60');
    h.out.length = 0;
    await expect(h.run('inspect', 'in', 'nope')).rejects.toThrow('No such container: nope');
    const printed = JSON.parse(h.out.join('')) as Array<{ Name: string; Config: { Env: string[] } }>;
    expect(printed.map((p) => p.Name)).toEqual(['/in']);
    expect(printed[0]?.Config.Env).toEqual(['PATH=/bin']);
  });

  it('a bad flag value is a usage error', async () => {
    const h = harness();
    await expect(h.run('run', '--restart', 'sometimes', 'busybox')).rejects.toBeInstanceOf(CommanderError);
  });
});
