/**
 * The test dockerd harness (test/support/dockerd.ts): it starts a real dockerd that pulls from
 * the local registry (127.0.0.1:5000), leaves the host's network alone while it runs, and after
 * stop() leaves nothing: no process, no mount under its dir, no dir, no host path — also when
 * the daemon died abruptly with a container running.
 */
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import { startDockerd, type Dockerd } from '../../support/dockerd';
import { mountsUnder } from '../../support/mounts';
import { isRunning, processesMentioning, signal } from '../../support/processes';
import { runCommand } from '../../support/run-command';

jest.setTimeout(180_000);

const REGISTRY = '127.0.0.1:5000';
const BUSYBOX = `${REGISTRY}/library/busybox:latest`;

/** What dockerd could change on the host: firewall rules, links, forwarding, and the default paths of docker and containerd. */
async function hostState(): Promise<Record<string, string>> {
  const out = async (cmd: string, args: string[]): Promise<string> => {
    const r = await runCommand(cmd, args, { timeoutMs: 30_000 });
    return `exit ${r.code}\n${r.stdout}${r.stderr}`;
  };
  const links = (await out('ip', ['-o', 'link', 'show']))
    .split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort()
    .join(' ');
  const paths = [
    '/etc/docker/key.json', '/etc/docker/daemon.json', '/var/lib/docker', '/var/lib/containerd', '/opt/containerd',
    '/run/containerd/containerd.sock', '/run/docker.sock', '/var/run/docker.sock', '/sys/fs/cgroup/memory/docker',
  ];
  const present = (await Promise.all(paths.map(async (p) => ((await fs.lstat(p).then(() => true, () => false)) ? p : '')))).filter(Boolean);
  return {
    iptables: await out('iptables-save', []),
    ip6tables: await out('ip6tables-save', []),
    nft: await out('nft', ['list', 'ruleset']),
    links,
    ipForward: await fs.readFile('/proc/sys/net/ipv4/ip_forward', 'utf8'),
    ipv6Forwarding: await fs.readFile('/proc/sys/net/ipv6/conf/all/forwarding', 'utf8'),
    defaultPaths: present.join(' '),
  };
}

function get(urlPath: string, accept: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get(`http://${REGISTRY}${urlPath}`, { headers: { Accept: accept } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(parts)) : reject(new Error(`GET ${urlPath}: HTTP ${res.statusCode}`))));
      })
      .on('error', (e) => reject(new Error(`the local registry at ${REGISTRY} is not answering (run ../shared/fixtures/standin-images.sh): ${e.message}`)));
  });
}

/** busybox's config digest for this host's platform, read from the registry itself. */
async function busyboxConfigDigest(): Promise<string> {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const index = JSON.parse((await get('/v2/library/busybox/manifests/latest', 'application/vnd.oci.image.index.v1+json')).toString()) as {
    manifests: { digest: string; platform: { architecture: string } }[];
  };
  const entry = index.manifests.find((m) => m.platform.architecture === arch);
  if (!entry) throw new Error(`the busybox index has no ${arch} manifest`);
  const manifest = JSON.parse((await get(`/v2/library/busybox/manifests/${entry.digest}`, 'application/vnd.oci.image.manifest.v1+json')).toString()) as {
    config: { digest: string };
  };
  return manifest.config.digest;
}

/** Asserts that nothing of `d` is left. */
async function expectGone(d: Dockerd): Promise<void> {
  expect(await isRunning(d.pid)).toBe(false);
  expect(await isRunning(d.containerdPid)).toBe(false);
  expect(await processesMentioning(d.dir)).toEqual([]);
  expect(await mountsUnder(d.dir)).toEqual([]);
  await expect(fs.lstat(d.dir)).rejects.toMatchObject({ code: 'ENOENT' });
  const cgroup = `/sys/fs/cgroup/pids/${d.dir.split('/').pop() ?? ''}`;
  await expect(fs.lstat(cgroup)).rejects.toMatchObject({ code: 'ENOENT' });
}

describe('the test dockerd harness', () => {
  const started: Dockerd[] = [];
  let before: Record<string, string>;
  let hostDirsBefore: boolean[];
  const hostDirs = ['/run/docker', '/run/containerd'];

  beforeAll(async () => {
    before = await hostState();
    hostDirsBefore = await Promise.all(hostDirs.map((p) => fs.lstat(p).then(() => true, () => false)));
  });
  afterAll(async () => {
    for (const d of started) await d.stop().catch((e: Error) => process.stderr.write(`${e.message}\n`));
  });

  it('starts an isolated dockerd, pulls busybox from the local registry, and leaves nothing after stop()', async () => {
    const d = await startDockerd();
    started.push(d);
    expect(d.env).toEqual({ DOCKER_HOST: `unix://${d.socket}` });
    expect((await fs.lstat(d.socket)).isSocket()).toBe(true);

    const info = JSON.parse(await d.dockerOk(['info', '--format', '{{json .}}'])) as Record<string, unknown>;
    expect(info.DockerRootDir).toBe(d.dataRoot);
    expect(info.Driver).toBe('overlay2');
    expect(info.ServerVersion).toMatch(/^20\.10\./);
    // the daemon's containerd is ours (its socket lives in the harness dir)
    const cmdline = (await fs.readFile(`/proc/${d.pid}/cmdline`)).toString().split('\0');
    expect(cmdline[cmdline.indexOf('--containerd') + 1]).toBe(`${d.dir}/containerd/containerd.sock`);

    // while it runs, the host's network and docker's default paths are untouched
    expect(await hostState()).toEqual(before);

    const id = await d.pullLocal('busybox:latest');
    expect(id).toBe(await busyboxConfigDigest());
    // pulled under the registry's explicit name, tagged locally with the short one
    expect((await d.dockerOk(['image', 'inspect', '--format', '{{.Id}}', BUSYBOX])).trim()).toBe(id);
    expect((await d.dockerOk(['image', 'inspect', '--format', '{{json .RepoTags}}', 'busybox:latest'])).trim()).toBe(
      JSON.stringify([BUSYBOX, 'busybox:latest']),
    );
    await expect(d.pullLocal('docker.io/library/busybox:latest')).rejects.toThrow(/pullLocal needs <name>:<tag>/);
    // the layer is in this daemon's data root
    expect((await fs.readdir(`${d.dataRoot}/overlay2`)).filter((n) => n !== 'l')).toHaveLength(1);

    // Docker Hub is unreachable from it: a Hub name fails at the dead proxy, never leaving the machine
    const hub = await d.docker(['pull', 'docker.io/library/busybox:latest'], { timeoutMs: 60_000 });
    expect(hub.code).not.toBe(0);
    expect(hub.stderr).toMatch(/proxyconnect tcp: dial tcp 127\.0\.0\.1:9/);

    await d.stop();
    await expectGone(d);
    await d.stop(); // idempotent
    expect(await hostState()).toEqual(before);
    expect(await Promise.all(hostDirs.map((p) => fs.lstat(p).then(() => true, () => false)))).toEqual(hostDirsBefore);
  });

  it('deletes the host bridge of a network the daemon made', async () => {
    const d = await startDockerd();
    started.push(d);
    const id = (await d.dockerOk(['network', 'create', '--driver', 'bridge', 'harness-test'])).trim();
    const bridge = `br-${id.slice(0, 12)}`;
    expect((await runCommand('ip', ['link', 'show', 'dev', bridge])).code).toBe(0);
    await d.stop();
    expect((await runCommand('ip', ['link', 'show', 'dev', bridge])).code).not.toBe(0);
    await expectGone(d);
    expect(await hostState()).toEqual(before);
  });

  it('cleans up after a daemon that was killed with a container running', async () => {
    const d = await startDockerd();
    started.push(d);
    await d.dockerOk(['pull', '-q', BUSYBOX]);
    const container = (await d.dockerOk(['run', '-d', '--network', 'none', BUSYBOX, 'sleep', '600'])).trim();
    const top = await d.dockerOk(['inspect', '--format', '{{.State.Pid}}', container]);
    const sleeper = Number(top.trim());
    expect(await isRunning(sleeper)).toBe(true);
    expect((await mountsUnder(d.dir)).some((m) => m.endsWith('/merged'))).toBe(true);

    signal(d.pid, 'SIGKILL'); // dockerd dies: its mounts, the shim and the container stay behind
    await new Promise((r) => setTimeout(r, 500));
    expect(await isRunning(sleeper)).toBe(true);
    expect((await mountsUnder(d.dir)).length).toBeGreaterThan(0);

    await d.stop();
    expect(await isRunning(sleeper)).toBe(false);
    await expectGone(d);
    expect(await hostState()).toEqual(before);
    expect(await Promise.all(hostDirs.map((p) => fs.lstat(p).then(() => true, () => false)))).toEqual(hostDirsBefore);
  });

  it('fails to start with the daemon log in the error when dockerd cannot start', async () => {
    const err = await startDockerd({ extraArgs: ['--storage-driver', 'no-such-driver'], startTimeoutMs: 20_000 }).then(
      () => new Error('started'),
      (e: Error) => e,
    );
    expect(err.message).toMatch(/^cannot start dockerd in \/\S+tscompose-dockerd-\w+: dockerd exited during start-up/);
    expect(err.message).toMatch(/dockerd\.log/);
    expect(err.message).toMatch(/no-such-driver/);
    const dir = /in (\S+tscompose-dockerd-\w+):/.exec(err.message)?.[1] ?? '';
    await expect(fs.lstat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await processesMentioning(dir)).toEqual([]);
  });
});
