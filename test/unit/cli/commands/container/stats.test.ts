import { binarySize, decimalSize, renderStats } from '../../../../../src/cli/commands/container/stats';
import { renderTop } from '../../../../../src/cli/commands/container/top';

describe('container stats and top output', () => {
  it('Docker’s stats table; a stopped container shows zeros', () => {
    const id = 'f'.repeat(64);
    const out = renderStats([
      {
        container: { id, name: 'web' },
        stats: { read: '', cpuPercent: 12.345, memoryUsage: 1_572_864, memoryLimit: 33_554_432, networkRx: 1_234, networkTx: 648, blockRead: 0, blockWrite: 4_096_000, pids: 3 },
      },
      { container: { id: 'e'.repeat(64), name: 'old' }, stats: undefined },
    ]);
    expect(out.split('\n')).toEqual([
      'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O         BLOCK I/O    PIDS',
      'ffffffffffff   web       12.35%    1.5MiB / 32MiB      4.69%     1.23kB / 648B   0B / 4.1MB   3',
      'eeeeeeeeeeee   old       0.00%     0B / 0B             0.00%     0B / 0B         0B / 0B      0',
      '',
    ]);
  });

  it('sizes: binary with 4 digits, decimal with 3', () => {
    expect(binarySize(0)).toBe('0B');
    expect(binarySize(8_227_913_728)).toBe('7.663GiB');
    expect(decimalSize(999)).toBe('999B');
    expect(decimalSize(1_234_567)).toBe('1.23MB');
  });

  it('top: columns at least 20 wide', () => {
    expect(renderTop({ titles: ['PID', 'CMD'], processes: [['1', 'sleep 60']] })).toBe(`PID${' '.repeat(17)}CMD\n1${' '.repeat(19)}sleep 60\n`);
  });
});
