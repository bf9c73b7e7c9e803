import { mergeAt, mergeTrees } from '../../../../src/compose/loader/merge';
import { mergeRuleFor, mergeRules } from '../../../../src/compose/loader/merge-rules';
import { parseYaml } from '../../../../src/compose/loader/parse';
import { cloneTree, locate, originOf, stripOrigins, type TreeMap } from '../../../../src/compose/loader/tree';

/** YAML text with its common indentation removed. */
function yaml(src: string): string {
  const lines = src.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

function tree(src: string, file: string): TreeMap {
  return parseYaml(yaml(src), file).tree;
}

/** base + override → the merged tree, without origins. */
function merged(base: string, override: string): unknown {
  return stripOrigins(mergeTrees(tree(base, 'base.yaml'), tree(override, 'override.yaml')));
}

function plain(src: string): unknown {
  return stripOrigins(tree(src, 'expected.yaml'));
}

describe('merge stage: general rules', () => {
  it('merges maps, replaces scalars, appends sequences (13-merge.md)', () => {
    expect(
      merged(
        `
        services:
          foo:
            key1: value1
            key2: value2
            DNS: [1.1.1.1]
        `,
        `
        services:
          foo:
            key2: VALUE
            key3: value3
            DNS: [8.8.8.8]
        `,
      ),
    ).toEqual(plain('services: {foo: {key1: value1, key2: VALUE, key3: value3, DNS: [1.1.1.1, 8.8.8.8]}}'));
  });

  it('adds new services and top-level sections, and leaves the base alone where the override is empty', () => {
    expect(
      merged(
        `
        services:
          web: {image: nginx}
          db: {image: postgres}
        `,
        `
        services:
          db:
          cache: {image: redis}
        volumes:
          data: {}
        `,
      ),
    ).toEqual(plain('services: {web: {image: nginx}, db: {image: postgres}, cache: {image: redis}}\nvolumes: {data: {}}'));
  });

  it('replaces shell commands instead of appending them', () => {
    expect(
      merged(
        `
        services:
          foo:
            command: ["echo", "foo"]
            entrypoint: [sh, -c]
            healthcheck: {test: [CMD, a], interval: 10s}
        `,
        `
        services:
          foo:
            command: ["echo", "bar"]
            entrypoint: bash
            healthcheck: {test: [CMD-SHELL, b]}
        `,
      ),
    ).toEqual(plain('services: {foo: {command: [echo, bar], entrypoint: bash, healthcheck: {test: [CMD-SHELL, b], interval: 10s}}}'));
  });

  it('never mutates its inputs, and the result shares nothing with them', () => {
    const base = tree('services:\n  web:\n    image: a\n    environment: [A=1]\n    ports: ["80:80"]\n', 'base.yaml');
    const over = tree('services:\n  web:\n    image: b\n    environment: {B: 2}\n    ports: ["81:81"]\n', 'override.yaml');
    const before = [stripOrigins(base), stripOrigins(over), originOf(base), originOf((base.services as TreeMap).web)];
    const baseCopy = cloneTree(base);
    const out = mergeTrees(base, over);
    ((out.services as TreeMap).web as TreeMap).image = 'changed';
    (((out.services as TreeMap).web as TreeMap).ports as unknown[]).push('1:1');
    expect([stripOrigins(base), stripOrigins(over), originOf(base), originOf((base.services as TreeMap).web)]).toEqual(before);
    expect(base).toEqual(baseCopy);
  });
});

describe('merge stage: !reset and !override', () => {
  it('removes what !reset names (13-merge.md example)', () => {
    expect(
      merged(
        `
        services:
          app:
            image: myapp
            ports:
              - "8080:80"
            environment:
              FOO: BAR
        `,
        `
        services:
          app:
            image: myapp
            ports: !reset []
            environment:
              FOO: !reset null
        `,
      ),
    ).toEqual(plain('services: {app: {image: myapp, environment: {}}}'));
  });

  it('drops a !reset key the base does not have, and resets whole services', () => {
    expect(
      merged(
        `
        services:
          app: {image: a}
          tmp: {image: b}
        `,
        `
        services:
          app:
            command: !reset
          tmp: !reset {}
        `,
      ),
    ).toEqual(plain('services: {app: {image: a}}'));
  });

  it('does not carry a !reset of the base into the result', () => {
    expect(merged('services:\n  a:\n    image: x\n    command: !reset\n', 'services:\n  a:\n    user: root\n')).toEqual(
      plain('services: {a: {image: x, user: root}}'),
    );
  });

  it('replaces what !override names instead of merging (13-merge.md example)', () => {
    expect(
      merged(
        `
        services:
          app:
            image: myapp
            ports: ["8080:80"]
            environment: {A: "1", B: "2"}
        `,
        `
        services:
          app:
            ports: !override
              - "8443:443"
            environment: !override {C: "3"}
        `,
      ),
    ).toEqual(plain('services: {app: {image: myapp, ports: ["8443:443"], environment: {C: "3"}}}'));
  });
});

describe('merge stage: the rules table', () => {
  it('finds rules by path pattern', () => {
    expect(mergeRuleFor(['services', 'web', 'command'])).toEqual({ kind: 'replace' });
    expect(mergeRuleFor(['services', 'web', 'ulimits', 'nofile'])).toEqual({ kind: 'replace' });
    expect(mergeRuleFor(['services', 'web', 'image'])).toBeUndefined();
    expect(mergeRuleFor(['volumes', 'data', 'labels'])).toBe(mergeRules['volumes.*.labels']);
  });

  it('merges list_or_dict attributes as maps, whichever syntax each side uses', () => {
    expect(
      merged(
        `
        services:
          web:
            environment: [FOO=BAR, KEEP=1, EQ=a=b]
            labels: {a: "1"}
            build:
              context: .
              args: {X: 1}
        `,
        `
        services:
          web:
            environment: {FOO: baz, EMPTY: "", NIL: null}
            labels: [b=2, a=3]
            build:
              args: [Y=2, X]
        `,
      ),
    ).toEqual(
      plain(`
        services:
          web:
            environment: {FOO: baz, KEEP: "1", EQ: a=b, EMPTY: "", NIL: null}
            labels: {a: "3", b: "2"}
            build: {context: ., args: {X: null, Y: "2"}}
      `),
    );
  });

  it('keeps volumes, ports, secrets and configs unique by their key (13-merge.md)', () => {
    expect(
      merged(
        `
        services:
          foo:
            volumes: [foo:/work, /data, {type: bind, source: ./b, target: /b}]
            ports: ["8080:80", "127.0.0.1:9000:9000/udp", 443]
            secrets: [a, b]
            configs: [c]
        `,
        `
        services:
          foo:
            volumes: [bar:/work/, ./b2:/b:ro]
            ports: [{target: 80, published: "8080"}, "9000:9000/udp", "443"]
            secrets: [{source: x, target: a}]
            configs: [{source: c, target: /c, mode: 0440}, d]
        `,
      ),
    ).toEqual(
      plain(`
        services:
          foo:
            volumes: [bar:/work/, /data, ./b2:/b:ro]
            ports: [{target: 80, published: "8080"}, "127.0.0.1:9000:9000/udp", "443", "9000:9000/udp"]
            secrets: [{source: x, target: a}, b]
            configs: [{source: c, target: /c, mode: 0440}, d]
      `),
    );
  });

  it('appends unique values to string lists, a single string counting as a list', () => {
    expect(
      merged(
        `
        services:
          web:
            dns: [8.8.8.8, 9.9.9.9]
            env_file: a.env
            tmpfs: /run
            cap_add: [NET_ADMIN]
            devices: ["/dev/sda:/dev/xvda"]
            profiles: [a]
            expose: [80]
        `,
        `
        services:
          web:
            dns: 9.9.9.9
            env_file: [b.env, {path: a.env, required: false}]
            tmpfs: ["/run:size=64m", /tmp]
            cap_add: [NET_ADMIN, SYS_TIME]
            devices: ["/dev/sdb:/dev/xvda:r"]
            profiles: [b, a]
            expose: ["80", 81]
        `,
      ),
    ).toEqual(
      plain(`
        services:
          web:
            dns: [8.8.8.8, 9.9.9.9]
            env_file: [{path: a.env, required: false}, b.env]
            tmpfs: ["/run:size=64m", /tmp]
            cap_add: [NET_ADMIN, SYS_TIME]
            devices: ["/dev/sdb:/dev/xvda:r"]
            profiles: [a, b]
            expose: ["80", 81]
      `),
    );
  });

  it('appends host entries, one host keeping all its addresses', () => {
    expect(
      merged(
        `
        services:
          web:
            extra_hosts: {example.com: 1.2.3.4}
        `,
        `
        services:
          web:
            extra_hosts: [localhost=127.0.0.1, example.com=1.2.3.4, example.com=4.3.2.1]
        `,
      ),
    ).toEqual(plain('services: {web: {extra_hosts: [example.com=1.2.3.4, localhost=127.0.0.1, example.com=4.3.2.1]}}'));
  });

  it('merges networks, depends_on and models written as lists or maps', () => {
    expect(
      merged(
        `
        services:
          web:
            networks: [front, back]
            depends_on:
              db: {condition: service_healthy, restart: true}
            models: [llm]
        `,
        `
        services:
          web:
            networks:
              back: {aliases: [b1]}
              extra:
            depends_on: [db, cache]
            models:
              vision: {endpoint_var: V}
        `,
      ),
    ).toEqual(
      plain(`
        services:
          web:
            networks: {front: null, back: {aliases: [b1]}, extra: null}
            depends_on:
              db: {condition: service_started, restart: true, required: true}
              cache: {condition: service_started, required: true}
            models: {llm: null, vision: {endpoint_var: V}}
      `),
    );
  });

  it('merges network aliases uniquely', () => {
    expect(
      merged(
        'services: {web: {networks: {n: {aliases: [a1, a2], link_local_ips: [1.1.1.1]}}}}',
        'services: {web: {networks: {n: {aliases: [a2, a3], link_local_ips: [1.1.1.1, 2.2.2.2]}}}}',
      ),
    ).toEqual(plain('services: {web: {networks: {n: {aliases: [a1, a2, a3], link_local_ips: [1.1.1.1, 2.2.2.2]}}}}'));
  });

  it('merges logging options only when the driver is the same', () => {
    const base = 'services: {a: {logging: {driver: syslog, options: {x: "1"}}}, b: {logging: {driver: local, options: {x: "1"}}}, c: {logging: {options: {x: "1"}}}}';
    const over = 'services: {a: {logging: {driver: syslog, options: {y: "2"}}}, b: {logging: {driver: syslog, options: {y: "2"}}}, c: {logging: {options: {y: "2"}}}}';
    expect(merged(base, over)).toEqual(
      plain(`
        services:
          a: {logging: {driver: syslog, options: {x: "1", y: "2"}}}
          b: {logging: {driver: syslog, options: {y: "2"}}}
          c: {logging: {options: {x: "1", y: "2"}}}
      `),
    );
  });

  it('replaces each ulimit and merges build written as a string or a map', () => {
    expect(
      merged(
        `
        services:
          web:
            ulimits: {nproc: 65535, nofile: {soft: 1, hard: 2}, core: 0}
            build: ./dir
        `,
        `
        services:
          web:
            ulimits: {nproc: {soft: 3, hard: 4}, nofile: {hard: 5}}
            build: {target: prod}
        `,
      ),
    ).toEqual(plain('services: {web: {ulimits: {nproc: {soft: 3, hard: 4}, nofile: {hard: 5}, core: 0}, build: {context: ./dir, target: prod}}}'));
  });

  it('merges ipam configs with the same subnet and appends the others', () => {
    expect(
      merged(
        `
        networks:
          n:
            ipam:
              config:
                - {subnet: 10.0.0.0/16, gateway: 10.0.0.1, aux_addresses: {h1: 10.0.0.5}}
        `,
        `
        networks:
          n:
            ipam:
              config:
                - {subnet: 10.0.0.0/16, aux_addresses: {h2: 10.0.0.6}}
                - {subnet: 10.1.0.0/16}
        `,
      ),
    ).toEqual(
      plain(`
        networks:
          n:
            ipam:
              config:
                - {subnet: 10.0.0.0/16, gateway: 10.0.0.1, aux_addresses: {h1: 10.0.0.5, h2: 10.0.0.6}}
                - {subnet: 10.1.0.0/16}
      `),
    );
  });

  it('applies service rules when asked to merge two service definitions', () => {
    const base = tree('command: [a]\nenvironment: [A=1]\n', 'b.yaml');
    const over = tree('command: [b]\nenvironment: {B: 2}\n', 'o.yaml');
    expect(stripOrigins(mergeAt(base, over, ['services', 'x']))).toEqual({ command: ['b'], environment: { A: '1', B: 2 } });
  });
});

describe('merge stage: origins', () => {
  const base = tree(
    `
    services:
      web:
        image: nginx
        restart: always
        environment:
          - A=1
        ports:
          - "80:80"
    `,
    'base.yaml',
  );
  const over = tree(
    `
    services:
      web:
        image: httpd
        environment:
          B: "2"
        ports:
          - "443:443"
    `,
    'override.yaml',
  );
  const out = mergeTrees(base, over);

  it('points each key at the file that set its value, the override winning', () => {
    expect(locate(out, ['services', 'web', 'image'])).toEqual({ file: 'override.yaml', line: 3, col: 12 });
    expect(locate(out, ['services', 'web', 'restart'])).toEqual({ file: 'base.yaml', line: 4, col: 14 });
    expect(locate(out, ['services', 'web', 'environment', 'A'])).toEqual({ file: 'base.yaml', line: 6, col: 9 });
    expect(locate(out, ['services', 'web', 'environment', 'B'])).toEqual({ file: 'override.yaml', line: 5, col: 10 });
  });

  it('keeps the position of every appended list item', () => {
    expect(locate(out, ['services', 'web', 'ports', 0])).toEqual({ file: 'base.yaml', line: 8, col: 9 });
    expect(locate(out, ['services', 'web', 'ports', 1])).toEqual({ file: 'override.yaml', line: 7, col: 9 });
  });

  it('keeps no merge tags in the result', () => {
    const tagged = mergeTrees(base, tree('services:\n  web:\n    ports: !override ["1:1"]\n', 'o.yaml'));
    expect(originOf((tagged.services as TreeMap).web)?.tags).toBeUndefined();
  });
});
