#!/usr/bin/env node
/**
 * The tscompose entry point: global options, the commands, and the only place
 * that turns errors into messages and exit codes (DESIGN habit 1).
 */
import './use-code-cache';
import { Command, CommanderError, Option } from 'commander';
import { Compose } from '../compose/api';
import { ComposeError, ValidationError } from '../compose/errors';
import { EngineError } from '../engine/errors';
import { VERSION } from '../version';
import type { CommandContext, ProgressMode } from './command-context';
import { configCommand } from './commands/config';
import { containerCommand } from './commands/container';
import { engineCommand } from './commands/engine';
import { imageCommand } from './commands/image';
import { versionCommand } from './commands/version';
import { collect, loadOptionsFrom, type GlobalOptions } from './global-options';
import { renderDiagnostic, stderrTerminal } from './output';

export interface Process {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function buildProgram(proc: Process): Command {
  const program = new Command('tscompose')
    .description('Run Compose-spec multi-container projects')
    .version(VERSION, '--version', 'show the tscompose version')
    .option('-f, --file <file>', 'compose configuration file (repeatable; "-" reads stdin)', collect)
    .option('-p, --project-name <name>', 'project name')
    .option('--project-directory <dir>', 'alternate working directory (default: the directory of the first compose file)')
    .option('--env-file <file>', 'alternate environment file (repeatable)', collect)
    .option('--profile <profile>', 'enable a profile (repeatable)', collect)
    .addOption(new Option('--progress <mode>', 'progress output').choices(['auto', 'tty', 'plain', 'json', 'quiet']).default('auto'))
    .addOption(new Option('--ansi <when>', 'control characters').choices(['never', 'always', 'auto']).default('auto'))
    .option('--verbose', 'show more output, including stack traces of internal errors')
    .showSuggestionAfterError(true)
    .enablePositionalOptions();

  const global = (): GlobalOptions => program.opts<GlobalOptions>();
  const ctx: CommandContext = {
    compose: () => {
      const term = stderrTerminal(proc.env, global().ansi);
      return new Compose({ cwd: proc.cwd, env: proc.env, warn: (d) => term.write(renderDiagnostic(d, term, 'warning')) });
    },
    project: () => {
      const { workingDir: _w, env: _e, ...project } = loadOptionsFrom(global(), { cwd: proc.cwd, env: proc.env });
      return project;
    },
    // loaded on first use: `config` never pays for the engine's modules
    images: () => (require('../engine/bundled/images/open-image-store') as typeof import('../engine/bundled/images/open-image-store')).openImageStore({ env: proc.env }),
    containers: () => (require('../engine/bundled/daemon/lifecycle') as typeof import('../engine/bundled/daemon/lifecycle')).ensureDaemon({ env: proc.env }),
    progress: () => progressMode(global().progress, process.stderr.isTTY === true),
    stdout: (text) => process.stdout.write(text),
    stdoutIsTTY: () => process.stdout.isTTY === true,
    stderr: () => stderrTerminal(proc.env, global().ansi),
  };
  program.addCommand(configCommand(ctx));
  program.addCommand(containerCommand(ctx, { env: proc.env }));
  program.addCommand(engineCommand(ctx, { env: proc.env }));
  program.addCommand(imageCommand(ctx));
  program.addCommand(versionCommand(ctx));
  return program;
}

/** `--progress auto` is `tty` on a terminal and `plain` elsewhere. */
export function progressMode(flag: string | undefined, stderrIsTTY: boolean): ProgressMode {
  if (flag === 'tty' || flag === 'plain' || flag === 'json' || flag === 'quiet') return flag;
  return stderrIsTTY ? 'tty' : 'plain';
}

/** Runs the CLI and returns the exit code; never throws. */
export async function run(proc: Process): Promise<number> {
  const program = buildProgram(proc);
  program.exitOverride();
  try {
    await program.parseAsync([...proc.argv], { from: 'user' });
    return 0;
  } catch (e) {
    return reportError(e, program.opts<GlobalOptions>(), proc.env);
  }
}

function reportError(e: unknown, g: GlobalOptions, env: Process['env']): number {
  const term = stderrTerminal(env, g.ansi);
  if (e instanceof CommanderError) {
    // commander has already printed its message (or help/version output).
    return e.exitCode === 0 ? 0 : e.exitCode || 1;
  }
  if (e instanceof ValidationError) {
    for (const d of e.diagnostics) term.write(renderDiagnostic(d, term, 'error'));
    return 1;
  }
  if (e instanceof EngineError) {
    for (const line of e.message.split('\n')) term.write(`error: ${line}\n`);
    if (g.verbose && e.stack) term.write(`${e.stack}\n`);
    return 1;
  }
  if (e instanceof ComposeError) {
    term.write(`error: ${e.message}\n`);
    return 1;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as NodeJS.ErrnoException).code;
  if (code && (err as NodeJS.ErrnoException).path) {
    term.write(`error: ${err.message}\n`);
  } else {
    term.write(`internal error: ${err.message}\n`);
  }
  if (g.verbose && err.stack) term.write(`${err.stack}\n`);
  else if (!code) term.write('(run with --verbose for details)\n');
  return 1;
}

if (require.main === module) {
  void run({ argv: process.argv.slice(2), cwd: process.cwd(), env: process.env }).then((code) => {
    process.exitCode = code;
  });
}
