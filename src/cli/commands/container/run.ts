/**
 * `tscompose container run`: create + start, as `docker run`. Attached (the default) it follows
 * the container's output to our stdout and stderr until the container stops, then exits with
 * its exit code (`--rm` removes it first); SIGINT and SIGTERM are passed to the container, and a
 * third Ctrl-C leaves it running. `-d` prints the container's ID and returns.
 */
import { Command, Option } from 'commander';
import type { ContainerInfo, ContainerSpec } from '../../../engine/containers';
import { EngineError, InvalidArgumentError, ObjectConflictError } from '../../../engine/errors';
import { collect } from '../../global-options';
import type { CommandContext, OpenedEngine } from '../../command-context';
import { randomName } from './container-names';
import { ensureImage } from './ensure-image';
import { ExitCode } from './exit-code';
import { bytes, count, durationMs, restartPolicy, seconds } from './parse-flags';
import { followUntilStopped } from './follow-until-stopped';
import { runSpec, type RunFlags } from './run-spec';
import { withEngine } from './with-engine';

export interface RunCommandOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function containerRunCommand(ctx: CommandContext, options: RunCommandOptions): Command {
  return new Command('run')
    .description('Create and run a new container from an image')
    .argument('<image>', 'image name or ID')
    .argument('[command...]', 'command and arguments (replace the image’s Cmd)')
    .passThroughOptions()
    .option('--name <name>', 'assign a name to the container')
    .option('--rm', 'automatically remove the container when it exits')
    .option('-d, --detach', 'run the container in the background and print its ID')
    .option('-e, --env <KEY=value>', 'set an environment variable (repeatable; KEY alone takes our value)', collect)
    .option('-l, --label <key=value>', 'set a label (repeatable)', collect)
    .option('-u, --user <user>', 'username or UID (format: <name|uid>[:<group|gid>])')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('--entrypoint <command>', 'overwrite the image’s ENTRYPOINT ("" clears it)')
    .option('--hostname <name>', 'container host name')
    .option('--init', 'run an init inside the container that forwards signals and reaps processes')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('-i, --interactive', 'keep STDIN open (not supported yet)')
    .option('--privileged', 'give extended privileges to this container')
    .option('--restart <policy>', 'restart policy: no, always, unless-stopped, on-failure[:max-retries]', restartPolicy)
    .option('-m, --memory <bytes>', 'memory limit (e.g. 32m)', bytes)
    .option('--stop-signal <signal>', 'signal to stop the container')
    .option('--stop-timeout <seconds>', 'seconds to wait for the stop signal before SIGKILL', seconds)
    .option('--health-cmd <command>', 'command to run to check health (CMD-SHELL)')
    .option('--health-interval <duration>', 'time between running the check (e.g. 30s)', durationMs)
    .option('--health-timeout <duration>', 'maximum time to allow one check to run', durationMs)
    .option('--health-start-period <duration>', 'start period for the container to initialize before counting failures', durationMs)
    .option('--health-retries <n>', 'consecutive failures needed to report unhealthy', count)
    .option('--no-healthcheck', 'disable any container-specified HEALTHCHECK')
    .addOption(new Option('--pull <policy>', 'pull the image before running').choices(['missing', 'always', 'never']).default('missing'))
    .option('-q, --quiet', 'suppress the pull output')
    .action((image: string, command: string[], flags: RunFlags) =>
      withEngine(ctx, async (engine) => {
        if (flags.interactive) throw new InvalidArgumentError('run -i: attaching STDIN to a container is not supported by the bundled engine yet; use `container exec -i` on a running container');
        if (flags.detach && flags.rm) throw new InvalidArgumentError('run -d --rm: the bundled engine cannot remove a container when it exits on its own yet; run it attached with --rm, or remove it with `container rm`');
        await ensureImage(ctx, engine, image, flags.pull ?? 'missing', flags.quiet === true);
        const info = await create(engine, (name) => runSpec(name, image, command, flags, options.env), flags.name);
        await start(ctx, engine, info, flags);
        if (flags.detach) {
          ctx.stdout(`${info.id}\n`);
          return;
        }
        const err = ctx.stderr();
        const exitCode = await followUntilStopped(engine, info.id, { stdout: (t) => ctx.stdout(t), stderr: (t) => err.write(t) });
        if (exitCode === undefined) throw new ExitCode(130); // left running
        if (flags.rm) await engine.removeContainer(info.id, { force: true });
        if (exitCode !== 0) throw new ExitCode(exitCode);
      }),
    );
}

/** With a name of our own making, another one when it is taken. */
async function create(engine: OpenedEngine, spec: (name: string) => ContainerSpec, name: string | undefined): Promise<ContainerInfo> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await engine.createContainer(spec(name ?? randomName()));
    } catch (e) {
      if (name !== undefined || !(e instanceof ObjectConflictError) || attempt >= 4) throw e;
    }
  }
}

/** A process that cannot run exits as Docker's: 127 not found, 126 not executable (the message printed first). */
async function start(ctx: CommandContext, engine: OpenedEngine, info: ContainerInfo, flags: RunFlags): Promise<void> {
  try {
    await engine.startContainer(info.id);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    const exitCode = await engine.inspectContainer(info.id).then((i) => i.state.exitCode, () => 0);
    if (flags.rm) await engine.removeContainer(info.id, { force: true }).catch(() => undefined);
    if (exitCode !== 126 && exitCode !== 127) throw e;
    ctx.stderr().write(`error: ${e.message}\n`);
    throw new ExitCode(exitCode);
  }
}
