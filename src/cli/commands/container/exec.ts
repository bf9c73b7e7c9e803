/**
 * `tscompose container exec`: runs a command in a running container, as `docker exec`: its
 * output to ours (`-t`: one stream, through a pseudo-TTY; our terminal in raw mode when `-i`
 * too), our stdin with `-i`, and its exit code as ours. `-d` starts it and returns.
 */
import { Command } from 'commander';
import { InvalidArgumentError } from '../../../engine/errors';
import { collect } from '../../global-options';
import type { CommandContext } from '../../command-context';
import { ExitCode } from './exit-code';
import { envEntry } from './parse-flags';
import { withEngine } from './with-engine';

interface ExecFlags {
  interactive?: boolean;
  tty?: boolean;
  detach?: boolean;
  env?: string[];
  user?: string;
  workdir?: string;
  privileged?: boolean;
}

export interface ExecCommandOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function containerExecCommand(ctx: CommandContext, options: ExecCommandOptions): Command {
  return new Command('exec')
    .description('Execute a command in a running container')
    .argument('<container>', 'container name or ID')
    .argument('<command...>', 'command and arguments')
    .passThroughOptions()
    .option('-i, --interactive', 'keep STDIN open')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('-d, --detach', 'run the command in the background')
    .option('-e, --env <KEY=value>', 'set an environment variable (repeatable; KEY alone takes our value)', collect)
    .option('-u, --user <user>', 'username or UID (format: <name|uid>[:<group|gid>])')
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('--privileged', 'give extended privileges to the command')
    .action((ref: string, command: string[], flags: ExecFlags) =>
      withEngine(ctx, async (engine) => {
        const stdin = process.stdin;
        const rawTerminal = flags.interactive === true && flags.tty === true && stdin.isTTY === true;
        if (flags.interactive && flags.tty && !stdin.isTTY) throw new InvalidArgumentError('the input device is not a TTY');
        if (rawTerminal) stdin.setRawMode(true);
        try {
          const result = await engine.exec(ref, {
            cmd: command,
            ...(flags.env !== undefined ? { env: flags.env.map((e) => envEntry(e, options.env)) } : {}),
            ...(flags.user !== undefined ? { user: flags.user } : {}),
            ...(flags.workdir !== undefined ? { workingDir: flags.workdir } : {}),
            ...(flags.tty ? { tty: true } : {}),
            ...(flags.privileged ? { privileged: true } : {}),
            ...(flags.detach ? { detach: true } : {}),
            ...(flags.interactive && !flags.detach ? { stdin } : {}),
            ...(flags.detach ? {} : { stdout: process.stdout, stderr: process.stderr }),
          });
          if (result.exitCode !== undefined && result.exitCode !== 0) throw new ExitCode(result.exitCode);
        } finally {
          if (rawTerminal) stdin.setRawMode(false);
          if (flags.interactive) stdin.pause();
        }
      }),
    );
}
