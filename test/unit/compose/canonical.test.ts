import { canonicalConfig, renderConfig } from '../../../src/compose/canonical';
import { emitYaml, formatNumber, goYamlKeyLess } from '../../../src/compose/go-yaml';
import type { TreeMap } from '../../../src/compose/loader/tree';

const yaml = (tree: TreeMap): string => renderConfig(canonicalConfig(tree), 'yaml');
const json = (tree: TreeMap): string => renderConfig(canonicalConfig(tree), 'json');

describe('canonical config: layout', () => {
  it('orders struct keys as Docker Compose does and sorts real maps', () => {
    const tree: TreeMap = {
      'x-top': 1,
      volumes: { v: { labels: { b: '1', a: '2' }, driver: 'local', name: 'p_v' } },
      services: {
        web: {
          volumes: [{ target: '/x', type: 'volume', volume: {} }],
          image: 'nginx',
          hostname: 'h',
          healthcheck: { interval: '10s', test: ['CMD', 'true'] },
          environment: { Z: 'z', A: null },
          'x-own': 'y',
          build: { target: 't', context: '/c' },
        },
        api: { image: 'api' },
      },
      name: 'p',
    };
    expect(yaml(tree)).toBe(`name: p
services:
  api:
    image: api
  web:
    build:
      context: /c
      target: t
    environment:
      A: null
      Z: z
    hostname: h
    healthcheck:
      test:
        - CMD
        - "true"
      interval: 10s
    image: nginx
    volumes:
      - type: volume
        target: /x
        volume: {}
    x-own: "y"
volumes:
  v:
    name: p_v
    driver: local
    labels:
      a: "2"
      b: "1"
x-top: 1
`);
  });

  it('leaves out empty fields but keeps pointers Compose prints (bind: {}, init: false, replicas: 0)', () => {
    const tree: TreeMap = {
      services: {
        a: {
          privileged: false,
          read_only: true,
          init: false,
          cap_add: [],
          labels: {},
          hostname: '',
          deploy: { replicas: 0, resources: {} },
          volumes: [{ type: 'bind', source: '/s', target: '/t', bind: { create_host_path: true } }],
          env_file: [
            { path: '/e1', required: true },
            { path: '/e2', required: false },
          ],
          depends_on: { db: { condition: 'service_started', required: false, restart: false } },
        },
      },
    };
    expect(yaml(tree)).toBe(`services:
  a:
    depends_on:
      db:
        condition: service_started
        required: false
    deploy:
      replicas: 0
    env_file:
      - path: /e1
      - path: /e2
        required: false
    init: false
    read_only: true
    volumes:
      - type: bind
        source: /s
        target: /t
        bind: {}
`);
  });

  it('prints byte sizes and file modes as text', () => {
    const tree: TreeMap = {
      services: {
        a: {
          mem_limit: 52428800,
          deploy: { resources: { limits: { cpus: 0.5, memory: 1024 } } },
          secrets: [{ source: 's', mode: 0o440 }],
          volumes: [{ type: 'tmpfs', target: '/t', tmpfs: { size: 10000 } }],
        },
      },
    };
    expect(yaml(tree)).toContain('mem_limit: "52428800"');
    expect(yaml(tree)).toContain('memory: "1024"');
    expect(yaml(tree)).toContain('cpus: 0.5');
    expect(yaml(tree)).toContain('mode: "0440"');
    expect(yaml(tree)).toContain('size: "10000"');
  });

  it('always prints services and drops version / include', () => {
    expect(yaml({ version: '3', include: ['a.yaml'], name: 'p' })).toBe('name: p\nservices: {}\n');
  });

  it('prints a service model without settings as null, as compose-go does (models: {llm: })', () => {
    const tree: TreeMap = {
      services: { a: { image: 'i', models: { llm: null, other: { model_var: 'M', endpoint_var: 'U' } } } },
      models: { llm: { model: 'ai/x' }, other: { model: 'ai/y' } },
    };
    expect(yaml(tree)).toBe(`services:
  a:
    image: i
    models:
      llm: null
      other:
        endpoint_var: U
        model_var: M
models:
  llm:
    model: ai/x
  other:
    model: ai/y
`);
    expect(JSON.parse(json(tree)).services.a.models).toEqual({ llm: null, other: { endpoint_var: 'U', model_var: 'M' } });
  });

  it('keeps attributes it does not know, after the known ones', () => {
    expect(yaml({ services: { a: { zzz_new: 'v', image: 'i' } } })).toBe('services:\n  a:\n    image: i\n    zzz_new: v\n');
  });
});

describe('canonical config: JSON', () => {
  it('sorts the top level, drops nested extensions, adds what encoding/json prints for empty structs', () => {
    const tree: TreeMap = {
      name: 'p',
      services: { a: { image: 'i', 'x-e': 1, deploy: { replicas: 2 } } },
      networks: { n: { name: 'p_n', 'x-n': 1 } },
      'x-top': { k: 'v' },
    };
    expect(json(tree)).toBe(`{
  "name": "p",
  "networks": {
    "n": {
      "name": "p_n",
      "ipam": {}
    }
  },
  "services": {
    "a": {
      "command": null,
      "deploy": {
        "replicas": 2,
        "resources": {}
      },
      "entrypoint": null,
      "image": "i"
    }
  },
  "x-top": {
    "k": "v"
  }
}
`);
  });

  it('sorts maps in byte order, where YAML uses yaml.v3 order', () => {
    const tree: TreeMap = { services: { a: { labels: { AB: '1', A_B: '2' } } } };
    expect(yaml(tree)).toContain('      A_B: "2"\n      AB: "1"\n');
    expect(json(tree)).toContain('"AB": "1",\n        "A_B": "2"');
  });

  it('doubles $ when asked, as docker compose config does after interpolating', () => {
    const tree: TreeMap = { services: { a: { command: ['echo', '$HOME', '$$'] } } };
    expect(renderConfig(canonicalConfig(tree), 'yaml', { escapeDollars: true })).toContain('      - $$HOME\n      - $$$$\n');
    expect(renderConfig(canonicalConfig(tree), 'json', { escapeDollars: true })).toContain('"$$HOME",');
    expect(renderConfig(canonicalConfig(tree), 'yaml')).toContain('- $HOME\n');
  });

  it('escapes like Go (HTML-safe)', () => {
    expect(json({ services: { a: { build: { context: '/c', dockerfile_inline: 'RUN a > b && c < d\n' } } } })).toContain(
      '"dockerfile_inline": "RUN a \\u003e b \\u0026\\u0026 c \\u003c d\\n"',
    );
  });
});

describe('YAML scalars as yaml.v3 writes them', () => {
  it.each([
    ['plain', 'plain'],
    ['3000', '"3000"'],
    ['0440', '"0440"'],
    ['1.5', '"1.5"'],
    ['1e3', '"1e3"'],
    ['0x1F', '"0x1F"'],
    ['1_000', '"1_000"'],
    ['true', '"true"'],
    ['False', '"False"'],
    ['yes', '"yes"'],
    ['off', '"off"'],
    ['y', '"y"'],
    ['null', '"null"'],
    ['~', '"~"'],
    ['', '""'],
    ['.5', '".5"'],
    ['.inf', '".inf"'],
    ['12:30', '"12:30"'],
    ['2001-12-14', '"2001-12-14"'],
    ['::1', '::1'],
    ['02:42:ac:11:65:43', '02:42:ac:11:65:43'],
    ['tcp://192.168.0.42:123', 'tcp://192.168.0.42:123'],
    ['echo "hello world"', 'echo "hello world"'],
    ['a: b', "'a: b'"],
    ['a #b', "'a #b'"],
    ['a#b', 'a#b'],
    ['- x', "'- x'"],
    ['-x', '-x'],
    ['-', "'-'"],
    ['*x', "'*x'"],
    ['&x', "'&x'"],
    ['!x', "'!x'"],
    ['%x', "'%x'"],
    ['@x', "'@x'"],
    ['[x]', "'[x]'"],
    ['{x}', "'{x}'"],
    ['a,b', 'a,b'],
    ["'q'", `'''q'''`],
    ['"q"', `'"q"'`],
    ['x: ', "'x: '"],
    [' lead', "' lead'"],
    ['trail ', "'trail '"],
    ['a\tb', '"a\\tb"'],
    ['bell\u0007', '"bell\\a"'],
    ['é ü ☃', 'é ü ☃'],
    ['---', "'---'"],
    ['? x', "'? x'"],
  ])('%j → %s', (value, expected) => {
    expect(emitYaml({ k: value })).toBe(`k: ${expected}\n`);
  });

  it('writes multi-line strings as literal blocks with the right chomping', () => {
    expect(emitYaml({ a: { k: 'x\ny\n' } })).toBe('a:\n  k: |\n    x\n    y\n');
    expect(emitYaml({ k: 'x\ny' })).toBe('k: |-\n  x\n  y\n');
    expect(emitYaml({ k: 'x\n\n' })).toBe('k: |+\n  x\n\n');
    expect(emitYaml({ k: '  x\ny\n' })).toBe('k: |2\n    x\n  y\n');
    expect(emitYaml({ k: 'x \ny' })).toBe('k: "x \\ny"\n');
    expect(emitYaml({ l: ['a\nb\n'] })).toBe('l:\n  - |\n    a\n    b\n');
  });

  it('quotes keys like values', () => {
    expect(emitYaml({ '8080': 'x', 'a b': 'y', '': 'z' })).toBe('"8080": x\na b: "y"\n"": z\n');
  });

  it('writes nested lists and empty collections', () => {
    expect(emitYaml({ l: [['a', 'b'], [], {}], m: {} })).toBe('l:\n  - - a\n    - b\n  - []\n  - {}\nm: {}\n');
  });

  it('formats numbers like Go', () => {
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(0.0001)).toBe('0.0001');
    expect(formatNumber(0.00001)).toBe('1e-05');
    expect(formatNumber(1234567.5)).toBe('1.2345675e+06');
    expect(formatNumber(65535)).toBe('65535');
    expect(formatNumber(-1)).toBe('-1');
  });

  it('sorts map keys as yaml.v3 does', () => {
    const sorted = ['b', 'a10', 'A_B', 'a2', 'AB', 'a.b', 'ab', '1', '10', '9'].sort((x, y) => (goYamlKeyLess(x, y) ? -1 : goYamlKeyLess(y, x) ? 1 : 0));
    expect(sorted).toEqual(['1', '9', '10', 'A_B', 'AB', 'a.b', 'a2', 'a10', 'ab', 'b']);
  });
});
