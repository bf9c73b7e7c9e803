import type { ContainerInfo, ContainerStatus } from '../../../../../src/engine/containers';
import { parseFilters } from '../../../../../src/cli/commands/container/container-filter';

const c = (id: string, name: string, status: ContainerStatus): ContainerInfo =>
  ({ id, name, state: { status } }) as unknown as ContainerInfo;

describe('container ls --filter', () => {
  it('labels go to the engine; name, id and status are kept here', () => {
    const f = parseFilters(['label=app=web', 'label=tier', 'name=^web', 'status=running'], false);
    expect(f.engine).toEqual({ all: true, labels: ['app=web', 'tier'] });
    expect(f.keep(c('aa', 'web-1', 'running'))).toBe(true);
    expect(f.keep(c('aa', 'web-1', 'exited'))).toBe(false);
    expect(f.keep(c('aa', 'db-1', 'running'))).toBe(false);
  });

  it('several values of one key: any may match; -a passes through', () => {
    const f = parseFilters(['id=ab', 'id=cd'], true);
    expect(f.engine).toEqual({ all: true });
    expect(f.keep(c('cdef', 'x', 'exited'))).toBe(true);
    expect(f.keep(c('efab', 'x', 'exited'))).toBe(false);
    expect(parseFilters([], false).engine).toEqual({ all: false });
  });

  it('bad filters are named', () => {
    expect(() => parseFilters(['label'], false)).toThrow('bad format of filter (expected name=value): label');
    expect(() => parseFilters(['colour=red'], false)).toThrow("invalid filter 'colour'");
    expect(() => parseFilters(['status=sleepy'], false)).toThrow("invalid filter 'status=sleepy'");
    expect(() => parseFilters(['name=('], false)).toThrow("invalid filter 'name=('");
  });
});
