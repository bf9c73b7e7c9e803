import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_DEVICE_RULES, DEFAULT_DEVICES, deviceRule, ociDevice } from '../../../../../../src/engine/bundled/containers/oci/devices';
import { hostDevices, majorOf, minorOf, resolveDevices } from '../../../../../../src/engine/bundled/containers/oci/resolve-devices';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

describe('device numbers', () => {
  it("decodes Linux's dev_t like glibc's major()/minor()", () => {
    expect([majorOf(0x0103), minorOf(0x0103)]).toEqual([1, 3]); // /dev/null
    expect([majorOf(0x8801), minorOf(0x8801)]).toEqual([136, 1]); // /dev/pts/1
    const big = (259 << 8) | 0x12 | (0x345 << 20); // major 259, minor 0x34512
    expect([majorOf(big), minorOf(big)]).toEqual([259, 0x34512]);
  });
});

describe('default devices', () => {
  it('creates the standard nodes and allows exactly them, plus mknod, ptys, console and tun', () => {
    expect(DEFAULT_DEVICES.map((d) => `${d.path} ${d.major}:${d.minor}`)).toEqual(['/dev/null 1:3', '/dev/zero 1:5', '/dev/full 1:7', '/dev/random 1:8', '/dev/urandom 1:9', '/dev/tty 5:0']);
    expect(DEFAULT_DEVICE_RULES[0]).toEqual({ allow: false, access: 'rwm' });
    const allowed = DEFAULT_DEVICE_RULES.filter((r) => r.allow && r.access === 'rwm').map((r) => `${r.type} ${r.major ?? '*'}:${r.minor ?? '*'}`);
    expect(allowed).toEqual(['c 1:3', 'c 1:5', 'c 1:7', 'c 1:8', 'c 1:9', 'c 5:0', 'c 5:1', 'c 5:2', 'c 136:*', 'c 10:200']);
    expect(DEFAULT_DEVICE_RULES.filter((r) => r.access === 'm').map((r) => r.type)).toEqual(['c', 'b']);
  });
});

describe('resolveDevices', () => {
  it('reads a host device node with its numbers, mode and owner', () => {
    const st = fs.statSync('/dev/null');
    const [d] = resolveDevices([{ source: '/dev/null', target: '/dev/mynull', permissions: 'rw' }]);
    expect(d).toEqual({ path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid, permissions: 'rw' });
    expect(ociDevice(d!)).toEqual({ path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
    expect(deviceRule(d!)).toEqual({ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' });
    expect(resolveDevices([{ source: '/dev/zero', target: '/dev/zero' }])[0]?.permissions).toBe('rwm');
  });

  it('refuses what is not a device, bad permissions and relative targets', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devices-'));
    try {
      fs.writeFileSync(path.join(dir, 'file'), '');
      expect(() => resolveDevices([{ source: path.join(dir, 'file'), target: '/dev/x' }])).toThrow('is not a device node');
      expect(() => resolveDevices([{ source: dir, target: '/dev/x' }])).toThrow('holds no device nodes');
      expect(() => resolveDevices([{ source: path.join(dir, 'none'), target: '/dev/x' }])).toThrow(InvalidArgumentError);
      expect(() => resolveDevices([{ source: '/dev/null', target: '/dev/x', permissions: 'rx' }])).toThrow('invalid permissions "rx"');
      expect(() => resolveDevices([{ source: '/dev/null', target: '/dev/x', permissions: 'rr' }])).toThrow('invalid permissions');
      expect(() => resolveDevices([{ source: '/dev/null', target: 'dev/x' }])).toThrow('must be an absolute path');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists the host's devices for privileged, without the container's own pts", () => {
    const all = hostDevices();
    expect(all.find((d) => d.path === '/dev/null')).toMatchObject({ type: 'c', major: 1, minor: 3 });
    expect(all.some((d) => d.path.startsWith('/dev/pts/'))).toBe(false);
  });
});
