/**
 * `canonicalYaml` writes the `config` YAML straight from the tree; it must be
 * the very text of `emitYaml(canonicalConfig(tree))`, the two-step form.
 */
import { canonicalConfig, canonicalYaml, renderCanonical, renderConfig, structs } from '../../../src/compose/canonical';
import { emitYaml } from '../../../src/compose/go-yaml';
import { parseYaml } from '../../../src/compose/loader/parse';
import type { TreeMap } from '../../../src/compose/loader/tree';

const twoStep = (tree: TreeMap): string => emitYaml(canonicalConfig(tree));

describe('canonical YAML straight from the tree', () => {
  it('drops empty struct fields, keeps the ones Compose prints empty, and keeps every key of real maps', () => {
    const tree: TreeMap = {
      services: {
        web: {
          image: 'nginx',
          environment: { B: '', A: null },
          labels: {},
          build: {},
          healthcheck: { test: [], interval: '0s', retries: 0 },
          deploy: { resources: { limits: {} } },
          ports: [{ target: 80, published: '8080', mode: '', protocol: 'tcp' }, {}],
          volumes: [{ type: 'tmpfs', target: '/t', tmpfs: { size: 1024, mode: 0o1777 } }],
          secrets: [{ source: 's', mode: 0o440 }],
          env_file: [{ path: '/e', required: true }, { path: '/f', required: false }],
          command: [['nested', 'list'], [], 'x'],
          'x-own': {},
          zz: [{}, []],
        },
        db: {},
      },
      networks: { n: { external: false, enable_ipv6: false, ipam: {} } },
      'x-top': { a: [] },
      version: '3',
    };
    expect(canonicalYaml(tree)).toBe(twoStep(tree));
    expect(canonicalYaml(tree)).toContain('  db: {}\n');
  });

  it('writes the default `services: {}` of an empty model', () => {
    expect(canonicalYaml({})).toBe(twoStep({}));
    expect(canonicalYaml({})).toBe('services: {}\n');
  });

  it('matches the two-step form on a parsed file with origins', () => {
    const { tree } = parseYaml(
      [
        'name: p',
        'services:',
        '  web:',
        '    image: "registry.example.com/app:1.2"',
        '    command: ["a: b", "multi',
        '      line"]',
        '    environment: {PATH: /bin, EMPTY: ""}',
        '    ports: [{target: 80, published: "8080"}]',
        'volumes: {data: {}, logs: {driver: local}}',
        '',
      ].join('\n'),
      'c.yaml',
    );
    expect(canonicalYaml(tree)).toBe(twoStep(tree));
  });

  it('matches the two-step form on random trees shaped like the structs', () => {
    let seed = 20240611;
    const rnd = (k: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % k;
    };
    const patterns = Object.keys(structs);
    const keysFor = (path: string[]): string[] => {
      for (const p of patterns) {
        const segs = p === '' ? [] : p.split('.');
        if (segs.length === path.length && segs.every((s, i) => s === '*' || s === path[i])) {
          return [...structs[p].keys, ...(structs[p].drop ?? []), 'x-ext', 'zz'];
        }
      }
      return ['a', 'b', '1', '10', '2', 'x-y', 'Z'];
    };
    const scalars = [null, true, false, 0, 1, 0o440, '', '0s', '10s', 'text', 'a: b', '1', 'multi\nline', 1.5, -1];
    const value = (path: string[], depth: number): TreeMap[string] => {
      const r = rnd(10);
      if (depth > 4 || r < 4) return scalars[rnd(scalars.length)];
      if (r < 6) return Array.from({ length: rnd(3) }, () => value([...path, '0'], depth + 1));
      const out: TreeMap = {};
      const keys = keysFor(path);
      for (let i = rnd(5); i > 0; i--) {
        const k = keys[rnd(keys.length)];
        out[k] = value([...path, k], depth + 1);
      }
      return out;
    };
    for (let n = 0; n < 2000; n++) {
      const tree: TreeMap = {};
      for (const k of ['name', 'services', 'networks', 'volumes', 'secrets', 'configs', 'version', 'x-top']) {
        if (!rnd(2)) continue;
        tree[k] = k === 'services' ? Object.fromEntries(Array.from({ length: rnd(3) }, (_, i) => [`s${i}`, value(['services', `s${i}`], 1)])) : value([k], 1);
      }
      expect(canonicalYaml(tree)).toBe(twoStep(tree));
    }
  });

  it('renders YAML (dollars escaped) and JSON as renderConfig does', () => {
    const tree: TreeMap = { services: { web: { image: 'a$b', environment: { X: '$Y' } } } };
    for (const format of ['yaml', 'json'] as const) {
      expect(renderCanonical(tree, format, { escapeDollars: true })).toBe(renderConfig(canonicalConfig(tree), format, { escapeDollars: true }));
      expect(renderCanonical(tree, format)).toBe(renderConfig(canonicalConfig(tree), format));
    }
  });
});
