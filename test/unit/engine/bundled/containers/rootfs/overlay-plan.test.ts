import { planOverlayMount } from '../../../../../../src/engine/bundled/containers/rootfs/overlay-plan';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

const dirs = { upper: '/var/lib/tscompose/containers/c1/fs/upper', work: '/var/lib/tscompose/containers/c1/fs/work', merged: '/var/lib/tscompose/containers/c1/fs/merged' };
const layer = (i: number): string => `/var/lib/tscompose/layers/${i.toString(16).padStart(64, '0')}/diff`;

describe('planOverlayMount', () => {
  it('names the layers topmost first, by absolute path, when they fit in a page', () => {
    const plan = planOverlayMount([layer(1), layer(2), layer(3)], dirs, { pageSize: 4096, indexOff: false });
    expect(plan.links).toBeUndefined();
    expect(plan.data).toBe(`lowerdir=${layer(3)}:${layer(2)}:${layer(1)},upperdir=${dirs.upper},workdir=${dirs.work}`);
  });

  it('mounts a single layer under the upper directory', () => {
    expect(planOverlayMount([layer(7)], dirs, { pageSize: 4096, indexOff: true }).data).toBe(`lowerdir=${layer(7)},upperdir=${dirs.upper},workdir=${dirs.work},index=off`);
  });

  it('switches to index links when the list does not fit in one page', () => {
    const layers = Array.from({ length: 60 }, (_, i) => layer(i));
    const plan = planOverlayMount(layers, dirs, { pageSize: 4096, indexOff: false });
    expect(plan.links).toHaveLength(60);
    // link 0 is the topmost layer, the last link the bottom one
    expect(plan.links?.[0]).toEqual({ name: '0', target: layer(59) });
    expect(plan.links?.[59]).toEqual({ name: (59).toString(36), target: layer(0) });
    expect(plan.data.startsWith(`lowerdir=${plan.links?.map((l) => l.name).join(':')},upperdir=`)).toBe(true);
    expect(Buffer.byteLength(plan.data)).toBeLessThan(4096);
  });

  it('stays direct right below the page limit and links right at it', () => {
    const tail = `,upperdir=${dirs.upper},workdir=${dirs.work}`;
    const oneLayer = (len: number): string => `/${'x'.repeat(len - 1)}`;
    const fits = 4095 - 'lowerdir='.length - tail.length;
    expect(planOverlayMount([oneLayer(fits)], dirs, { pageSize: 4096, indexOff: false }).links).toBeUndefined();
    expect(planOverlayMount([oneLayer(fits + 1)], dirs, { pageSize: 4096, indexOff: false }).links).toHaveLength(1);
  });

  it('links layer paths that overlay option syntax cannot carry', () => {
    const plan = planOverlayMount(['/layers/a:b/diff', layer(1)], dirs, { pageSize: 4096, indexOff: false });
    expect(plan.links).toEqual([{ name: '0', target: layer(1) }, { name: '1', target: '/layers/a:b/diff' }]);
    expect(planOverlayMount(['/layers/a,b'], dirs, { pageSize: 4096, indexOff: false }).links).toHaveLength(1);
  });

  it('rejects no layers, and upper or work paths with reserved characters', () => {
    expect(() => planOverlayMount([], dirs, { pageSize: 4096, indexOff: false })).toThrow(InvalidArgumentError);
    expect(() => planOverlayMount([layer(1)], { ...dirs, upper: '/x,y/upper' }, { pageSize: 4096, indexOff: false })).toThrow(/upper directory/);
    expect(() => planOverlayMount([layer(1)], { ...dirs, work: 'relative/work' }, { pageSize: 4096, indexOff: false })).toThrow(/work directory/);
  });

  it("fails clearly past overlayfs's 500 layers, and when even the index links do not fit", () => {
    const layers = (n: number): string[] => Array.from({ length: n }, (_, i) => layer(i));
    expect(planOverlayMount(layers(500), dirs, { pageSize: 4096, indexOff: false }).links).toHaveLength(500);
    expect(() => planOverlayMount(layers(501), dirs, { pageSize: 4096, indexOff: false })).toThrow(/501 layers .*: overlayfs stacks at most 500 layers/);
    const longUpper = { ...dirs, upper: `/${'u'.repeat(3000)}`, work: `/${'w'.repeat(600)}` };
    expect(() => planOverlayMount(layers(200), longUpper, { pageSize: 4096, indexOff: false })).toThrow(/200 layers .* do not fit in one page even with index links/);
  });
});
