/**
 * The container contract against the bundled engine, in-process, on its own temporary root,
 * run directory and parent cgroup; then a check that a whole run leaves nothing behind:
 * no runtime state, mounts, cgroups or monitor processes.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BundledEngine } from '../../src/engine/bundled/bundled-engine';
import { mountsUnder, unmountUnder } from '../support/mounts';
import { containerContract, type ContractSetup } from './container-contract';

const MIRROR = { mirrors: ['http://127.0.0.1:5000'], insecure: [], mirrorOnly: true };
const CGROUP_CONTROLLERS = ['memory', 'pids', 'cpu', 'cpuacct', 'cpuset', 'blkio', 'devices', 'freezer', 'unified', 'systemd'];

interface Opened extends ContractSetup {
  readonly root: string;
  readonly run: string;
  readonly cgroupParent: string;
}

async function openBundled(): Promise<Opened> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-contract-'));
  const root = path.join(dir, 'root');
  const run = path.join(dir, 'run');
  const cgroupParent = `/tscompose-test-${randomBytes(4).toString('hex')}`;
  const engine = await BundledEngine.open({ env: { PATH: process.env.PATH }, root, run, cgroupParent, registryConfig: MIRROR });
  await engine.pullImage('busybox');
  return {
    engine,
    busybox: 'busybox:latest',
    root,
    run,
    cgroupParent,
    async close() {
      for (const c of await engine.listContainers({ all: true })) await engine.removeContainer(c.id, { force: true }).catch(() => undefined);
      await engine.shutdown();
      await unmountUnder(dir).catch(() => undefined);
      for (const controller of CGROUP_CONTROLLERS) {
        const p = path.join('/sys/fs/cgroup', controller, cgroupParent);
        if (fs.existsSync(p)) fs.rmdirSync(p);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

containerContract('bundled engine', openBundled);

describe('the bundled engine leaves nothing behind', () => {
  jest.setTimeout(120_000);

  it('after containers ran, exited, were killed and removed: no runtime state, mount, cgroup or monitor', async () => {
    const setup = await openBundled();
    try {
      const { engine } = setup;
      const ids: string[] = [];
      for (const [i, script] of ['true', 'sleep 100', 'exit 3'].entries()) {
        const c = await engine.createContainer({ name: `leftovers-${i}`, image: setup.busybox, entrypoint: ['sh', '-c'], command: [script] });
        ids.push(c.id);
        await engine.startContainer(c.id);
      }
      const monitors = await Promise.all(ids.map(async (id) => (await engine.inspectContainer(id)).state.pid));
      expect(monitors.some((pid) => pid > 0)).toBe(true);
      for (const id of ids) await engine.removeContainer(id, { force: true });

      expect(fs.readdirSync(path.join(setup.run, 'runtime')).filter((n) => !n.startsWith('.'))).toEqual([]);
      expect(await mountsUnder(setup.root)).toEqual([]);
      expect(fs.readdirSync(path.join(setup.root, 'containers'))).toEqual([]);
      const cgroups = CGROUP_CONTROLLERS.flatMap((c) => {
        const p = path.join('/sys/fs/cgroup', c, setup.cgroupParent);
        return fs.existsSync(p) ? fs.readdirSync(p, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${c}${setup.cgroupParent}/${e.name}`) : [];
      });
      expect(cgroups).toEqual([]);
      const conmons = fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(setup.run);
          } catch {
            return false;
          }
        });
      expect(conmons).toEqual([]);
    } finally {
      await setup.close();
    }
  });
});
