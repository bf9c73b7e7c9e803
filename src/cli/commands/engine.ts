/**
 * `tscompose engine serve|status|stop`: the bundled engine's daemon. `serve` runs it in the
 * foreground (what commands start on demand, detached); `status` reaches it (starting it when
 * needed) and prints what it reports; `stop` asks it to stop and waits until it is gone.
 */
import { Command, Option } from 'commander';
import type { EngineStatus } from '../../engine/bundled/daemon/daemon-engine';
import type { CommandContext } from '../command-context';

export interface EngineCommandOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function engineCommand(ctx: CommandContext, options: EngineCommandOptions): Command {
  const { env } = options;
  const engine = new Command('engine').description('Manage the bundled engine’s daemon (serve, status, stop)');

  engine
    .command('serve')
    .description('Run the engine daemon in the foreground (commands start it on demand)')
    .action(async () => {
      const { runDaemon } = await import('../../engine/bundled/daemon/run-daemon');
      const { createBundledEngine } = await import('../../engine/bundled/daemon/create-bundled-engine');
      await runDaemon({ env, createEngine: (context) => createBundledEngine(context) });
    });

  engine
    .command('status')
    .description('Show the engine daemon’s status (starting it when it is not running)')
    .addOption(new Option('--format <format>', 'output format').choices(['pretty', 'json']).default('pretty'))
    .action(async (flags: { format: string }) => {
      const { engineStatus } = await import('../../engine/bundled/daemon/lifecycle');
      const status = await engineStatus({ env });
      ctx.stdout(flags.format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    });

  engine
    .command('stop')
    .description('Stop the engine daemon (containers keep running)')
    .action(async () => {
      const { stopDaemon } = await import('../../engine/bundled/daemon/lifecycle');
      const result = await stopDaemon({ env });
      ctx.stdout(result.stopped ? `Engine stopped (pid ${result.pid})\n` : 'Engine is not running\n');
    });

  return engine;
}

/** The human form of `engine status`. */
export function formatStatus(s: EngineStatus): string {
  const c = s.containers;
  const rows: Array<[string, string]> = [
    ['Engine', `running (pid ${s.pid})`],
    ['Version', s.version],
    ['Root', s.root],
    ['Run', s.run],
    ['Runtime', s.runtime ? `${s.runtime.name} ${s.runtime.version} (${s.runtime.path})` : 'none'],
    ['Containers', `${c.total} (${c.running} running, ${c.paused} paused, ${c.stopped} stopped)`],
  ];
  return rows.map(([k, v]) => `${`${k}:`.padEnd(12)}${v}\n`).join('');
}
