import { copyTargetMounts, stoppedBinds } from '../../../../../../src/engine/bundled/containers/archive/copy-mounts';
import { checkCopyTarget } from '../../../../../../src/engine/bundled/containers/archive/copy-target-check';
import type { ContainerSpec } from '../../../../../../src/engine/containers';

const etc = { hosts: '/u/hosts', hostname: '/u/hostname', resolvConf: '/u/resolv.conf' };

describe('stoppedBinds', () => {
  it('the engine’s /etc files and the user’s binds, parents first; a user bind at an /etc file wins; volumes and tmpfs are not binds', () => {
    const spec: ContainerSpec = {
      name: 'c',
      image: 'busybox',
      mounts: [
        { type: 'bind', source: '/srv/deep', target: '/data/deep/' },
        { type: 'bind', source: '/srv/data', target: '/data' },
        { type: 'bind', source: '/srv/my-hosts', target: '/etc/hosts' },
        { type: 'tmpfs', target: '/run' },
        { type: 'volume', source: 'v', target: '/vol' },
      ],
    };
    expect(stoppedBinds(spec, etc)).toEqual([
      { target: '/data', source: '/srv/data' },
      { target: '/etc/hostname', source: '/u/hostname' },
      { target: '/etc/resolv.conf', source: '/u/resolv.conf' },
      { target: '/data/deep', source: '/srv/deep' },
      { target: '/etc/hosts', source: '/srv/my-hosts' },
    ]);
  });
});

describe('copyTargetMounts', () => {
  const spec: ContainerSpec = {
    name: 'c',
    image: 'busybox',
    mounts: [
      { type: 'bind', source: '/srv', target: '/srv/', readOnly: true },
      { type: 'tmpfs', target: '/run' },
    ],
  };
  it('tmpfs mounts count only while the container runs', () => {
    expect(copyTargetMounts(spec, true)).toEqual([
      { target: '/srv', readOnly: true },
      { target: '/run', readOnly: false },
    ]);
    expect(copyTargetMounts(spec, false)).toEqual([{ target: '/srv', readOnly: true }]);
  });
});

describe('checkCopyTarget (Docker’s read-only rules)', () => {
  const mounts = [
    { target: '/data', readOnly: false },
    { target: '/data/ro', readOnly: true },
    { target: '/conf', readOnly: true },
  ];
  it.each([
    [['tmp'], false, undefined],
    [['tmp'], true, 'container rootfs is marked read-only'],
    [['data'], true, undefined],
    [['data', 'x'], true, undefined],
    [['data', 'ro'], false, 'mounted volume is marked read-only'],
    [['data', 'ro', 'deeper'], false, 'mounted volume is marked read-only'],
    [['data', 'rox'], true, undefined], // a sibling name, not inside /data/ro
    [['conf'], false, 'mounted volume is marked read-only'],
    [['configs'], true, 'container rootfs is marked read-only'],
  ])('%j (read-only root: %s)', (dest, readOnlyRootfs, error) => {
    const check = (): void => checkCopyTarget(dest, mounts, readOnlyRootfs);
    if (error === undefined) expect(check).not.toThrow();
    else expect(check).toThrow(error);
  });
});
