import { mountOption, parseMountInfo } from '../../../../../../src/engine/bundled/containers/rootfs/mountinfo';

const SAMPLE = [
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue',
  '90 27 0:50 / /tmp/c/fs/merged rw,relatime - overlay overlay rw,lowerdir=/l/2:/l/1,upperdir=/tmp/c/fs/upper,workdir=/tmp/c/fs/work',
  '',
].join('\n');

describe('parseMountInfo', () => {
  it('reads mount point, type, source and super options, past optional fields', () => {
    const entries = parseMountInfo(SAMPLE);
    expect(entries).toHaveLength(3);
    expect(entries[1]).toEqual({ mountPoint: '/mnt/with space', fsType: 'ext3', source: '/dev/root', superOptions: 'rw,errors=continue' });
    expect(entries[2]?.fsType).toBe('overlay');
    expect(mountOption(entries[2]?.superOptions ?? '', 'upperdir')).toBe('/tmp/c/fs/upper');
    expect(mountOption(entries[2]?.superOptions ?? '', 'lowerdir')).toBe('/l/2:/l/1');
    expect(mountOption(entries[2]?.superOptions ?? '', 'index')).toBeUndefined();
  });

  it('skips lines that are not mountinfo', () => {
    expect(parseMountInfo('garbage\n1 2 3\n')).toEqual([]);
  });
});
