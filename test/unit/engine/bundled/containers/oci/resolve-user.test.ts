import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveUser } from '../../../../../../src/engine/bundled/containers/oci/resolve-user';
import { readFileInRoot, resolveInRoot } from '../../../../../../src/engine/bundled/containers/oci/read-in-root';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  '# a comment',
  'daemon:x:1:1:daemon:/usr/sbin:/bin/false',
  'www-data:x:33:33:www-data:/var/www:/bin/false',
  'app:x:1000:1000:App:/home/app:/bin/sh',
  'broken:x:notanumber:1::/:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
  '',
].join('\n');
const GROUP = ['root:x:0:', 'wheel:x:10:root,app', 'www-data:x:33:', 'app:x:1000:', 'docker:x:999:app', 'video:x:44:', 'nogroup:x:65534:', ''].join('\n');

let dir: string;
let rootfs: string;

function writeRootfs(root: string, passwd: string | undefined, group: string | undefined): void {
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  if (passwd !== undefined) fs.writeFileSync(path.join(root, 'etc/passwd'), passwd);
  if (group !== undefined) fs.writeFileSync(path.join(root, 'etc/group'), group);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resolve-user-'));
  rootfs = path.join(dir, 'rootfs');
  writeRootfs(rootfs, PASSWD, GROUP);
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('resolveUser', () => {
  it('is root with its groups when no user is given', () => {
    expect(resolveUser(rootfs, undefined)).toEqual({ uid: 0, gid: 0, additionalGids: [0, 10], home: '/root' });
    expect(resolveUser(rootfs, '')).toEqual(resolveUser(rootfs, undefined));
  });

  it('finds a user by name or uid, with its primary group and the groups listing it', () => {
    expect(resolveUser(rootfs, 'app')).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000, 10, 999], home: '/home/app' });
    expect(resolveUser(rootfs, '1000')).toEqual(resolveUser(rootfs, 'app'));
    expect(resolveUser(rootfs, 'nobody')).toEqual({ uid: 65534, gid: 65534, additionalGids: [65534], home: '/nonexistent' });
  });

  it('accepts a uid without a passwd entry (gid 0, home /)', () => {
    expect(resolveUser(rootfs, '4242')).toEqual({ uid: 4242, gid: 0, additionalGids: [0], home: '/' });
    expect(resolveUser(rootfs, '4242:4343')).toEqual({ uid: 4242, gid: 4343, additionalGids: [4343], home: '/' });
  });

  it('takes an explicit group by name or gid, and then no supplementary groups', () => {
    expect(resolveUser(rootfs, 'app:www-data')).toEqual({ uid: 1000, gid: 33, additionalGids: [33], home: '/home/app' });
    expect(resolveUser(rootfs, 'app:44')).toEqual({ uid: 1000, gid: 44, additionalGids: [44], home: '/home/app' });
    expect(resolveUser(rootfs, 'app:7777').gid).toBe(7777);
  });

  it('adds group_add entries by name or gid, once each', () => {
    expect(resolveUser(rootfs, 'app', ['video', '5000', 'docker']).additionalGids).toEqual([1000, 10, 999, 44, 5000]);
  });

  it('gives clear errors for unknown names and out-of-range IDs', () => {
    expect(() => resolveUser(rootfs, 'nobody2')).toThrow(InvalidArgumentError);
    expect(() => resolveUser(rootfs, 'nobody2')).toThrow('unable to find user nobody2: no matching entries in passwd file');
    expect(() => resolveUser(rootfs, 'app:nogroup2')).toThrow('unable to find group nogroup2: no matching entries in group file');
    expect(() => resolveUser(rootfs, 'app', ['missing'])).toThrow('unable to find group missing (group_add): no matching entries in group file');
    expect(() => resolveUser(rootfs, '2147483648')).toThrow('uids and gids must be in range 0-2147483647');
    expect(() => resolveUser(rootfs, '1:-1')).toThrow('uids and gids must be in range');
    expect(() => resolveUser(rootfs, 'broken')).toThrow('unable to find user broken');
  });

  it('works without /etc/passwd and /etc/group for numeric IDs only', () => {
    const bare = path.join(dir, 'bare');
    fs.mkdirSync(bare);
    expect(resolveUser(bare, undefined)).toEqual({ uid: 0, gid: 0, additionalGids: [0], home: '/' });
    expect(resolveUser(bare, '12:34', ['56'])).toEqual({ uid: 12, gid: 34, additionalGids: [34, 56], home: '/' });
    expect(() => resolveUser(bare, 'app')).toThrow('unable to find user app');
  });

  it("never reads the host's files through a symlinked /etc/passwd (absolute or ../ targets)", () => {
    // a "host" file outside the rootfs that a naive reader would reach
    const hostEtc = path.join(dir, 'host-etc');
    fs.mkdirSync(hostEtc);
    fs.writeFileSync(path.join(hostEtc, 'shadow'), 'evil:x:31337:31337::/evil:/bin/sh\n');
    const hostile = path.join(dir, 'hostile');
    fs.mkdirSync(path.join(hostile, 'etc'), { recursive: true });
    fs.symlinkSync(path.join(hostEtc, 'shadow'), path.join(hostile, 'etc/passwd')); // absolute: re-rooted, so missing inside
    expect(() => resolveUser(hostile, 'evil')).toThrow('unable to find user evil');
    fs.rmSync(path.join(hostile, 'etc/passwd'));
    fs.symlinkSync('../../../../../../host-etc/shadow', path.join(hostile, 'etc/passwd')); // .. stops at the root
    expect(() => resolveUser(hostile, 'evil')).toThrow('unable to find user evil');
    // the same link resolves inside the rootfs when the target exists there
    fs.mkdirSync(path.join(hostile, 'host-etc'));
    fs.writeFileSync(path.join(hostile, 'host-etc/shadow'), 'inside:x:7:7::/in:/bin/sh\n');
    expect(resolveUser(hostile, 'inside').uid).toBe(7);
    expect(() => resolveUser(hostile, 'evil')).toThrow('unable to find user evil');
    // the classic: /etc/passwd -> /etc/shadow reads the image's shadow, never the host's
    fs.rmSync(path.join(hostile, 'etc/passwd'));
    fs.symlinkSync('/etc/shadow', path.join(hostile, 'etc/passwd'));
    expect(() => resolveUser(hostile, 'root')).toThrow('unable to find user root');
    fs.writeFileSync(path.join(hostile, 'etc/shadow'), 'imageuser:x:9:9::/:/bin/sh\n');
    expect(resolveUser(hostile, 'imageuser').uid).toBe(9);
  });

  it('resolves a symlinked /etc directory inside the rootfs too', () => {
    const r = path.join(dir, 'linked-etc');
    fs.mkdirSync(path.join(r, 'real'), { recursive: true });
    fs.writeFileSync(path.join(r, 'real/passwd'), 'svc:x:500:500::/svc:/bin/sh\n');
    fs.symlinkSync(dir, path.join(r, 'etc')); // absolute target = the rootfs' own /<dir>, absent inside
    expect(() => resolveUser(r, 'svc')).toThrow('unable to find user svc');
    fs.rmSync(path.join(r, 'etc'));
    fs.symlinkSync('/real', path.join(r, 'etc'));
    expect(resolveUser(r, 'svc').uid).toBe(500);
  });

  it('refuses symlink loops and files that are not regular files', () => {
    const r = path.join(dir, 'loop');
    fs.mkdirSync(path.join(r, 'etc'), { recursive: true });
    fs.symlinkSync('/etc/passwd', path.join(r, 'etc/passwd'));
    expect(() => resolveUser(r, 'x')).toThrow('too many levels of symbolic links');
    const d = path.join(dir, 'dir');
    fs.mkdirSync(path.join(d, 'etc/passwd'), { recursive: true });
    expect(() => resolveUser(d, 'x')).toThrow('/etc/passwd in the container: not a regular file');
    // a FIFO would block a plain read forever
    const f = path.join(dir, 'fifo');
    fs.mkdirSync(path.join(f, 'etc'), { recursive: true });
    execFileSync('mkfifo', [path.join(f, 'etc/group')]);
    expect(() => resolveUser(f, '0', ['staff'])).toThrow('/etc/group in the container: not a regular file');
  });
});

describe('resolveInRoot / readFileInRoot', () => {
  it('maps container paths into the root, clamping .. at the root', () => {
    expect(resolveInRoot(rootfs, '/etc/passwd')).toBe(path.join(rootfs, 'etc/passwd'));
    expect(resolveInRoot(rootfs, '/../../etc/./passwd')).toBe(path.join(rootfs, 'etc/passwd'));
    expect(resolveInRoot(rootfs, '/etc/passwd/x')).toBeUndefined();
    expect(resolveInRoot(rootfs, '/nope/passwd')).toBeUndefined();
    expect(readFileInRoot(rootfs, '/etc/group')).toBe(GROUP);
    expect(readFileInRoot(rootfs, '/etc/missing')).toBeUndefined();
  });
});
