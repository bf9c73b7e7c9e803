/** A ContainerBackend without a machine: containers are entries, exits are reported by the test or by signals. */
import { Readable } from 'node:stream';
import type { ContainerStats, ExecOptions, ExecResult, LogLine, ProcessList } from '../../../../../../src/engine/containers';
import type { ContainerBackend, ImageResolver, Running } from '../../../../../../src/engine/bundled/containers/manager/backend';
import type { ContainerRecord } from '../../../../../../src/engine/bundled/containers/manager/record';

export class FakeBackend implements ContainerBackend {
  readonly runs: Array<{ id: string; at: number }> = [];
  readonly signals: Array<{ id: string; signal: string; all: boolean }> = [];
  readonly live = new Map<string, Running>();
  readonly exitCodes = new Map<string, number>();
  readonly destroyed: string[] = [];
  /** Signals the fake process ignores (to exercise the SIGKILL after the grace period). */
  ignore = new Set<string>();
  /** What `run` does: resolve, or throw this error. */
  failRun: Error | undefined;
  /** Exit code per exec call (a function of the command). */
  execResult: (cmd: readonly string[]) => number | Promise<number> = () => 0;
  private nextPid = 1000;
  private onExit: ((id: string, code: number) => void) | undefined;

  validate(): void {}

  async run(record: ContainerRecord): Promise<Running> {
    if (this.failRun) throw this.failRun;
    const r = { pid: this.nextPid++, monitorPid: this.nextPid++ };
    this.live.set(record.id, r);
    this.runs.push({ id: record.id, at: Date.now() });
    return r;
  }

  /** The container's process ends with `code` (as its monitor would report it). */
  exit(id: string, code: number): void {
    if (!this.live.delete(id)) throw new Error(`fake container ${id} is not running`);
    this.exitCodes.set(id, code);
    setImmediate(() => this.onExit?.(id, code));
  }

  async signal(record: ContainerRecord, signal: string, all = false): Promise<void> {
    this.signals.push({ id: record.id, signal, all });
    if (this.ignore.has(signal) || !this.live.has(record.id)) return;
    const number = signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : signal === 'SIGINT' ? 2 : 1;
    this.exit(record.id, 128 + number);
  }

  async pause(): Promise<void> {}
  async resume(): Promise<void> {}
  async cleanup(): Promise<void> {}

  async destroy(record: ContainerRecord): Promise<void> {
    this.destroyed.push(record.id);
  }

  async alive(record: ContainerRecord): Promise<Running | undefined> {
    return this.live.get(record.id);
  }

  async exitCode(record: ContainerRecord): Promise<number | undefined> {
    return this.exitCodes.get(record.id);
  }

  async oomKilled(): Promise<boolean> {
    return false;
  }

  watchExits(onExit: (id: string, exitCode: number) => void): { close(): void } {
    this.onExit = onExit;
    return { close: () => (this.onExit = undefined) };
  }

  async exec(_record: ContainerRecord, options: ExecOptions): Promise<ExecResult> {
    const code = await this.execResult(options.cmd);
    options.stdout?.write(`ran ${options.cmd.join(' ')}\n`);
    return { exitCode: code };
  }

  logs(_record: ContainerRecord, _options: unknown, _stopWhen: PromiseLike<unknown>): AsyncIterable<LogLine> {
    return (async function* () {})();
  }

  async stats(): Promise<ContainerStats> {
    return { read: new Date().toISOString(), cpuPercent: 0, memoryUsage: 1, memoryLimit: 2, networkRx: 0, networkTx: 0, blockRead: 0, blockWrite: 0, pids: 1 };
  }

  async top(): Promise<ProcessList> {
    return { titles: ['PID', 'CMD'], processes: [['1', 'sh']] };
  }

  async copyFrom(): Promise<NodeJS.ReadableStream> {
    return Readable.from([]);
  }

  async copyTo(): Promise<void> {}
}

export const fakeImages: ImageResolver = {
  async resolve(ref: string) {
    if (ref.startsWith('missing')) {
      const { ObjectNotFoundError } = await import('../../../../../../src/engine/errors');
      throw new ObjectNotFoundError(`No such image: ${ref}`);
    }
    return { id: `sha256:${'a'.repeat(64)}`, config: { cmd: ['sh'], stopSignal: 'SIGTERM' }, layerDirs: ['/layers/1'] };
  },
};
