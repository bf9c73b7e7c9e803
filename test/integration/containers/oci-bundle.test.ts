/**
 * The OCI runtime specs buildOciSpec writes, really run: busybox from the local registry
 * (127.0.0.1:5000) pulled into a temp engine root, its layers mounted as an overlay, one bundle
 * per case with a shell script that reports what the container sees, run in the foreground by
 * `runc --root <tmp> run` (stdio as pipes; needs root). Checked from inside and from the host:
 * PID namespace, Docker's default capabilities, masked and read-only /proc paths, seccomp
 * (mode 2 and a syscall outside the allow-list refused with EPERM), no_new_privileges,
 * read-only root, user resolution, memory and pids limits in the container's cgroup (an
 * over-limit allocation OOM-killed), ulimits, sysctls, hostname and /etc files, init, devices,
 * privileged.
 *
 * Runs serially. Everything is removed in afterAll even on failure: runc state (delete
 * --force), mounts, the cgroups under /sys/fs/cgroup/<hierarchy>/tscompose-test-<random>, and
 * the temp directory. The last test asserts runc removed each container's cgroup itself.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildOciSpec, INIT_PATH_IN_CONTAINER, type ResolvedMount, type SpecInput } from '../../../src/engine/bundled/containers/oci/build-spec';
import { capabilityMask, DEFAULT_CAPABILITIES } from '../../../src/engine/bundled/containers/oci/capabilities';
import { hostnameFile, hostsFile, resolvConf } from '../../../src/engine/bundled/containers/oci/etc-files';
import { hostCapabilities, parseCapBnd } from '../../../src/engine/bundled/containers/oci/host-capabilities';
import { ociSpecJson } from '../../../src/engine/bundled/containers/oci/oci-spec-json';
import { resolveDevices } from '../../../src/engine/bundled/containers/oci/resolve-devices';
import { resolveUser } from '../../../src/engine/bundled/containers/oci/resolve-user';
import { openImageStore } from '../../../src/engine/bundled/images/open-image-store';
import { chainIds } from '../../../src/engine/bundled/images/store/chain-id';
import type { ContainerSpec } from '../../../src/engine/containers';
import type { ImageConfig } from '../../../src/engine/engine';
import { unmountUnder } from '../../support/mounts';
import { runCommand, type CommandResult } from '../../support/run-command';

jest.setTimeout(300_000);

const MiB = 1024 * 1024;
const CGROUP_ROOT = '/sys/fs/cgroup';
/** A static init: Debian's /usr/bin/tini is linked against glibc, which busybox lacks. */
const INIT = '/usr/bin/tini-static';

const cgroupParent = `tscompose-test-${randomBytes(6).toString('hex')}`;
let tmp = '';
let merged = '';
let upper = '';
let runtimeRoot = '';
let image: ImageConfig = {};
let etcFiles: SpecInput['etcFiles'] = { hosts: '', hostname: '', resolvConf: '' };
const ids: string[] = [];

/** The cgroup hierarchies mounted on this host (v1 controllers and the v2 `unified`). */
function hierarchies(): string[] {
  return fs
    .readdirSync(CGROUP_ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(CGROUP_ROOT, e.name));
}

/** Our parent cgroup in every hierarchy, with its leftover children removed (deepest first). */
function removeCgroups(): void {
  for (const h of hierarchies()) {
    const parent = path.join(h, cgroupParent);
    if (!fs.existsSync(parent)) continue;
    for (const child of fs.readdirSync(parent, { withFileTypes: true })) if (child.isDirectory()) fs.rmdirSync(path.join(parent, child.name));
    fs.rmdirSync(parent);
  }
}

function leftoverCgroups(): string[] {
  return hierarchies().filter((h) => fs.existsSync(path.join(h, cgroupParent)));
}

async function mountOverlay(lowers: readonly string[], dirs: { upper: string; work: string; merged: string }): Promise<void> {
  const r = await runCommand('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowers.join(':')},upperdir=${dirs.upper},workdir=${dirs.work}`, dirs.merged]);
  if (r.code !== 0) throw new Error(`mounting the overlay at ${dirs.merged} failed: ${r.stderr.trim()}`);
}

interface RunOptions {
  readonly spec?: Partial<ContainerSpec>;
  readonly input?: Partial<SpecInput>;
  readonly mounts?: readonly ResolvedMount[];
  /** Called while the container runs (after it started), before `run` resolves. */
  readonly whileRunning?: (id: string) => Promise<void>;
}

/** Runs `script` under `sh -c` in a new container of busybox, in the foreground, and returns what it printed. */
async function run(script: string, o: RunOptions = {}): Promise<CommandResult & { readonly id: string }> {
  const id = `oci-${ids.length}-${randomBytes(4).toString('hex')}`;
  ids.push(id);
  const spec: ContainerSpec = { name: id, image: 'busybox', command: ['sh', '-c', script], ...o.spec };
  const input: SpecInput = {
    id,
    spec,
    image,
    rootfs: merged,
    user: resolveUser(merged, spec.user ?? image.user, spec.groupAdd),
    etcFiles,
    mounts: o.mounts ?? [],
    cgroupsPath: `/${cgroupParent}/${id}`,
    availableCapabilities: hostCapabilities(),
    ...o.input,
  };
  const bundle = path.join(tmp, 'bundles', id);
  fs.mkdirSync(bundle, { recursive: true });
  fs.writeFileSync(path.join(bundle, 'config.json'), ociSpecJson(buildOciSpec(input)));
  const running = runCommand('runc', ['--root', runtimeRoot, 'run', '--bundle', bundle, id], { timeoutMs: 60_000 });
  if (o.whileRunning !== undefined) {
    const done = o.whileRunning(id);
    const [result] = await Promise.all([running, done]);
    return { ...result, id };
  }
  return { ...(await running), id };
}

/** `key: value` lines of /proc/self/status and the like. */
function field(text: string, key: string): string | undefined {
  return new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-bundle-'));
  const root = path.join(tmp, 'engine');
  const opened = openImageStore({ env: {}, root, registryConfig: { mirrors: ['http://127.0.0.1:5000'], insecure: [], mirrorOnly: true } });
  let lowers: string[];
  try {
    const info = await opened.store.pullImage('busybox');
    image = info.config;
    lowers = chainIds(info.layers)
      .map((c) => opened.store.layers.diffPath(c))
      .reverse();
  } finally {
    opened.close();
  }
  upper = path.join(tmp, 'fs/upper');
  merged = path.join(tmp, 'fs/merged');
  const work = path.join(tmp, 'fs/work');
  for (const d of [upper, merged, work]) fs.mkdirSync(d, { recursive: true });
  await mountOverlay(lowers, { upper, work, merged });
  runtimeRoot = path.join(tmp, 'runc');
  const userdata = path.join(tmp, 'userdata');
  fs.mkdirSync(userdata);
  etcFiles = { hosts: path.join(userdata, 'hosts'), hostname: path.join(userdata, 'hostname'), resolvConf: path.join(userdata, 'resolv.conf') };
  fs.writeFileSync(etcFiles.hosts, hostsFile({ hostname: 'oci-test', addresses: ['10.9.8.7'], extraHosts: ['db:10.0.0.2'] }));
  fs.writeFileSync(etcFiles.hostname, hostnameFile('oci-test'));
  fs.writeFileSync(etcFiles.resolvConf, resolvConf({ hostResolvConf: 'nameserver 127.0.0.53\nnameserver 10.1.1.1\nsearch test.example\n' }));
});

afterAll(async () => {
  const problems: string[] = [];
  for (const id of ids) {
    const r = await runCommand('runc', ['--root', runtimeRoot, 'delete', '--force', id], { timeoutMs: 60_000 }).catch((e: Error) => ({ code: 1, stderr: e.message, stdout: '' }));
    if (r.code !== 0 && !/does not exist|not exist/.test(r.stderr)) problems.push(`runc delete ${id}: ${r.stderr.trim()}`);
  }
  try {
    removeCgroups();
  } catch (e) {
    problems.push(`removing cgroups: ${(e as Error).message}`);
  }
  if (tmp !== '') {
    await unmountUnder(tmp).catch((e: Error) => problems.push(e.message));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (problems.length > 0) throw new Error(`cleanup: ${problems.join('; ')}`);
});

describe('OCI bundles from buildOciSpec, run by runc', () => {
  it('isolates PIDs: the process is PID 1 and sees no host PIDs', async () => {
    const r = await run('echo "pid=$$"; ls /proc | grep -E "^[0-9]+$" | tr "\\n" " "');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pid=1\n');
    const inside = r.stdout.split('\n')[1]!.trim().split(' ').map(Number);
    const host = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
    expect(host.length).toBeGreaterThan(10);
    expect(inside.length).toBeLessThanOrEqual(4);
    expect(inside).toContain(1);
    expect(inside).not.toContain(process.pid);
    expect(Math.max(...inside)).toBeLessThan(10);
  });

  it("has exactly Docker's default capabilities, seccomp in filter mode, and privileges as usual", async () => {
    const r = await run('cat /proc/self/status');
    expect(r.code).toBe(0);
    const mask = capabilityMask(DEFAULT_CAPABILITIES).toString(16).padStart(16, '0');
    expect(mask).toBe('00000000a80425fb');
    for (const key of ['CapEff', 'CapPrm', 'CapBnd']) expect(field(r.stdout, key)).toBe(mask);
    expect(field(r.stdout, 'CapAmb')).toBe('0000000000000000');
    expect(field(r.stdout, 'Seccomp')).toBe('2');
    expect(field(r.stdout, 'NoNewPrivs')).toBe('0');
    const own = fs.readFileSync('/proc/self/status', 'utf8');
    expect(field(own, 'CapEff')).not.toBe(mask); // the test itself runs with more: the check can fail
  });

  it('masks /proc paths and keeps /proc/sys read-only', async () => {
    const hostInterrupts = fs.readFileSync('/proc/interrupts', 'utf8');
    expect(hostInterrupts.length).toBeGreaterThan(0);
    const kcoreOnHost = fs.existsSync('/proc/kcore');
    const r = await run(
      [
        'echo "interrupts=$(wc -c < /proc/interrupts)"',
        'echo "timer_list=$(cat /proc/timer_list 2>/dev/null | wc -c)"',
        'if [ -e /proc/kcore ]; then echo "kcore=$(stat -c %t:%T /proc/kcore)"; else echo kcore=absent; fi',
        'grep -E " /proc/(acpi|keys) " /proc/mounts',
        'echo 1 > /proc/sys/kernel/ns_last_pid && echo sys=writable || echo sys=refused',
        'echo 1 > /proc/sysrq-trigger && echo sysrq=writable || echo sysrq=refused',
      ].join('; '),
    );
    expect(r.stdout).toContain('interrupts=0\n');
    expect(r.stdout).toContain('timer_list=0\n');
    expect(r.stdout).toContain(kcoreOnHost ? 'kcore=1:3\n' : 'kcore=absent\n'); // /dev/null bound over it
    // a masked directory gets an empty read-only tmpfs, a masked file /dev/null (devtmpfs or the container's /dev tmpfs)
    if (fs.existsSync('/proc/acpi')) expect(r.stdout).toMatch(/^tmpfs \/proc\/acpi tmpfs ro[, ]/m);
    if (fs.existsSync('/proc/keys')) expect(r.stdout).toMatch(/^\S+ \/proc\/keys (tmpfs|devtmpfs) /m);
    expect(r.stdout).toContain('sys=refused\n');
    expect(r.stdout).toContain('sysrq=refused\n');
    expect(r.stderr).toMatch(/Read-only file system/);
  });

  it('refuses a syscall outside the allow-list with EPERM, and allows it with seccomp=unconfined', async () => {
    // unshare(CLONE_NEWUSER) needs no capability: only the seccomp profile can refuse it
    const confined = await run('unshare -U true; echo "rc=$?"');
    expect(confined.stdout).toBe('rc=1\n');
    expect(confined.stderr).toMatch(/unshare\(0x10000000\): Operation not permitted/);
    const unconfined = await run('grep Seccomp: /proc/self/status; unshare -U true; echo "rc=$?"', { spec: { securityOpt: ['seccomp=unconfined'] } });
    expect(unconfined.stdout).toMatch(/Seccomp:\s+0\n/);
    expect(unconfined.stdout).toContain('rc=0\n');
  });

  it('sets no_new_privileges from security_opt', async () => {
    const r = await run('grep NoNewPrivs: /proc/self/status', { spec: { securityOpt: ['no-new-privileges:true'] } });
    expect(r.stdout).toMatch(/NoNewPrivs:\s+1\n/);
  });

  it('honours a read-only root, with /dev/shm and the like still writable', async () => {
    const ro = await run('touch /ro-probe && echo root=writable || echo root=refused; touch /dev/shm/x && echo shm=writable', { spec: { readOnlyRootfs: true } });
    expect(ro.stdout).toBe('root=refused\nshm=writable\n');
    expect(ro.stderr).toMatch(/Read-only file system/);
    expect(fs.existsSync(path.join(upper, 'ro-probe'))).toBe(false);
    const rw = await run('touch /rw-probe && echo root=writable');
    expect(rw.stdout).toBe('root=writable\n');
    expect(fs.existsSync(path.join(upper, 'rw-probe'))).toBe(true); // it landed in the overlay's upper dir
  });

  it("resolves users in the image's /etc/passwd and /etc/group", async () => {
    const nobody = await run('id -u; id -g; id -G', { spec: { user: 'nobody' } });
    expect(nobody.stdout).toBe('65534\n65534\n65534\n');
    const numeric = await run('id -u; id -g; id -G', { spec: { user: '1234:5678', groupAdd: ['wheel'] } });
    expect(numeric.stdout).toBe('1234\n5678\n5678 10\n');
    const root = await run('id');
    expect(root.stdout).toBe('uid=0(root) gid=0(root) groups=0(root),10(wheel)\n');
    expect(() => resolveUser(merged, 'nobody2')).toThrow('unable to find user nobody2: no matching entries in passwd file');
  });

  it("puts the memory and pids limits on the container's cgroup, and OOM-kills past the limit", async () => {
    const ctl = path.join(tmp, 'ctl');
    fs.mkdirSync(ctl, { recursive: true });
    let seenFromHost = '';
    const script = 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max; touch /ctl/started; while [ ! -e /ctl/go ]; do sleep 0.05; done';
    const r = await run(script, {
      spec: { resources: { memory: 32 * MiB, pidsLimit: 64 } },
      mounts: [{ destination: '/ctl', type: 'bind', source: ctl, options: [] }],
      whileRunning: async (id) => {
        await waitFor(() => fs.existsSync(path.join(ctl, 'started')), 'the container to start');
        const limitFile = path.join(CGROUP_ROOT, 'memory', cgroupParent, id, 'memory.limit_in_bytes');
        seenFromHost = `${fs.readFileSync(limitFile, 'utf8').trim()} ${fs.readFileSync(path.join(CGROUP_ROOT, 'pids', cgroupParent, id, 'pids.max'), 'utf8').trim()}`;
        fs.writeFileSync(path.join(ctl, 'go'), '');
      },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${32 * MiB}\n64\n`);
    expect(seenFromHost).toBe(`${32 * MiB} 64`);
    expect(fs.existsSync(path.join(CGROUP_ROOT, 'memory', cgroupParent, r.id))).toBe(false); // runc removed it

    // 48 MiB written to /dev/shm is memory charged to the container: over a 32 MiB limit (and no
    // swap on top: swap = 2 × memory, but tmpfs pages cannot be swapped when the host has none)
    // the kernel's OOM killer ends dd with SIGKILL
    const fill = 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=48 2>/dev/null; echo "rc=$?"';
    const limited = await run(fill, { spec: { resources: { memory: 32 * MiB } } });
    expect(limited.stdout).toBe('rc=137\n');
    const unlimited = await run(fill);
    expect(unlimited.stdout).toBe('rc=0\n');
  });

  it('applies ulimits, sysctls, hostname, env and the /etc files', async () => {
    const r = await run(
      [
        'ulimit -n',
        'ulimit -c',
        'cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/core/somaxconn',
        'hostname',
        'echo "HOSTNAME=$HOSTNAME HOME=$HOME PATH=$PATH"',
        'cat /etc/hosts /etc/resolv.conf',
      ].join('; '),
      { spec: { hostname: 'oci-test', ulimits: { nofile: { soft: 1234, hard: 2048 }, core: { soft: -1, hard: -1 } }, sysctls: { 'net.core.somaxconn': '1111' } } },
    );
    expect(r.stderr).toBe('');
    const expected = [
      '1234',
      'unlimited',
      '0',
      '1111',
      'oci-test',
      `HOSTNAME=oci-test HOME=/root PATH=${(image.env ?? []).find((e) => e.startsWith('PATH='))?.slice(5) ?? ''}`,
      fs.readFileSync(etcFiles.hosts, 'utf8') + fs.readFileSync(etcFiles.resolvConf, 'utf8'),
    ].join('\n');
    expect(r.stdout).toBe(expected);
    expect(r.stdout).toContain('10.9.8.7\toci-test\n');
    expect(r.stdout).toContain('nameserver 10.1.1.1\n');
    expect(r.stdout).not.toContain('127.0.0.53');
  });

  it('runs a static init as PID 1 with init: true', async () => {
    const r = await run('echo "pid=$$"; tr "\\0" " " < /proc/1/cmdline', { spec: { init: true }, input: { initPath: INIT } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('pid=1\n');
    expect(r.stdout).toContain(`${INIT_PATH_IN_CONTAINER} -- sh -c `);
  });

  it('creates and allows mapped devices, and denies devices that are not allowed', async () => {
    const denied = await run('mknod /lc c 10 237 && (cat /lc; echo "rc=$?"); rm -f /lc');
    expect(denied.stderr).toMatch(/can't open '\/lc': Operation not permitted/);
    const devices = resolveDevices([{ source: '/dev/loop-control', target: '/dev/mapped-lc', permissions: 'rw' }]);
    const mapped = await run('ls -l /dev/mapped-lc; cat /dev/mapped-lc; echo "rc=$?"', { spec: { devices: [{ source: '/dev/loop-control', target: '/dev/mapped-lc', permissions: 'rw' }] }, input: { devices } });
    expect(mapped.stdout).toMatch(/^crw-------\s+1 root\s+root\s+10,\s+237 .* \/dev\/mapped-lc\n/);
    expect(mapped.stderr).not.toMatch(/Operation not permitted/); // opened; reading it is simply invalid
  });

  it('gives a privileged container every capability the host has, no seccomp and writable /sys', async () => {
    const r = await run('grep -E "^(CapEff|Seccomp):" /proc/self/status; grep " /sys sysfs" /proc/mounts', { spec: { privileged: true } });
    const hostBounding = parseCapBnd(fs.readFileSync('/proc/self/status', 'utf8')).toString(16).padStart(16, '0');
    expect(field(r.stdout, 'CapEff')).toBe(hostBounding);
    expect(field(r.stdout, 'Seccomp')).toBe('0');
    expect(r.stdout).toMatch(/ \/sys sysfs rw,/);
  });

  it('leaves no runtime state and no container cgroup behind', async () => {
    const list = await runCommand('runc', ['--root', runtimeRoot, 'list', '-q']);
    expect(list.stdout.trim()).toBe('');
    for (const h of hierarchies()) {
      const parent = path.join(h, cgroupParent);
      const left = fs.existsSync(parent) ? fs.readdirSync(parent, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
      expect({ hierarchy: h, left }).toEqual({ hierarchy: h, left: [] });
    }
    expect(leftoverCgroups().length).toBeGreaterThan(0); // runc leaves the parents: ours to remove
    removeCgroups();
    expect(leftoverCgroups()).toEqual([]);
  });
});
