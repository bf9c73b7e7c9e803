import { parse } from 'yaml';
import type { Diagnostic } from '../../../../src/compose/errors';
import { formatDiagnostic } from '../../../../src/compose/errors';
import { applyForms } from '../../../../src/compose/loader/apply-forms';
import { canonicalForms } from '../../../../src/compose/loader/canonical-forms';
import { parseYaml } from '../../../../src/compose/loader/parse';
import { stripOrigins, type TreeMap } from '../../../../src/compose/loader/tree';

interface Result {
  tree: TreeMap;
  errors: string[];
  warnings: string[];
}

function forms(source: string): Result {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const tree = applyForms(parseYaml(source, 'compose.yaml').tree, canonicalForms, {
    error: (d) => errors.push(d),
    warn: (d) => warnings.push(d),
  });
  return { tree: stripOrigins(tree), errors: errors.map(formatDiagnostic), warnings: warnings.map(formatDiagnostic) };
}

/** The long form of one service attribute, written as YAML in, YAML out. */
function service(attribute: string): unknown {
  const r = forms(`services:\n  web:\n${attribute.replace(/^/gm, '    ')}\n`);
  expect(r.errors).toEqual([]);
  return (r.tree.services as TreeMap).web;
}

const y = (text: string): unknown => parse(text);

describe('canonical forms: ports', () => {
  it('expands every short syntax to one map per port, as Docker Compose does', () => {
    expect(
      service(`ports:
  - 3000
  - "3001-3002"
  - "8000:8000"
  - "9090-9091:8080-8081"
  - "127.0.0.1:8001:8001"
  - "127.0.0.1::5000"
  - "[::1]:6000:6001"
  - "::1:7000:7001"
  - "53:53/udp"
  - "8000-8010:80"
  - "6060:6060/SCTP"`),
    ).toEqual(
      y(`ports:
  - {mode: ingress, target: 3000, protocol: tcp}
  - {mode: ingress, target: 3001, protocol: tcp}
  - {mode: ingress, target: 3002, protocol: tcp}
  - {mode: ingress, target: 8000, published: "8000", protocol: tcp}
  - {mode: ingress, target: 8080, published: "9090", protocol: tcp}
  - {mode: ingress, target: 8081, published: "9091", protocol: tcp}
  - {mode: ingress, host_ip: 127.0.0.1, target: 8001, published: "8001", protocol: tcp}
  - {mode: ingress, host_ip: 127.0.0.1, target: 5000, protocol: tcp}
  - {mode: ingress, host_ip: "::1", target: 6001, published: "6000", protocol: tcp}
  - {mode: ingress, host_ip: "::1", target: 7001, published: "7000", protocol: tcp}
  - {mode: ingress, target: 53, published: "53", protocol: udp}
  - {mode: ingress, target: 80, published: "8000-8010", protocol: tcp}
  - {mode: ingress, target: 6060, published: "6060", protocol: sctp}
`),
    );
  });

  it('orders the ports of a range as Docker does (by "port/protocol" text)', () => {
    const ports = (service('ports: ["9-10:9-10"]') as { ports: { target: number }[] }).ports;
    expect(ports.map((p) => p.target)).toEqual([10, 9]);
  });

  it('completes the long syntax: mode, protocol, published as text', () => {
    expect(service('ports:\n  - {target: "80", published: 8080}\n  - {target: 22, mode: host, protocol: udp}')).toEqual(
      y(`ports:
  - {target: 80, published: "8080", mode: ingress, protocol: tcp}
  - {target: 22, mode: host, protocol: udp}
`),
    );
  });

  it('reports each malformed port at its line with the reason', () => {
    const r = forms('services:\n  web:\n    ports:\n      - "80:abc"\n      - "1-3:1-2"\n      - "0.0.0.0:70000:80"\n      - "300.1.1.1:80:80"\n');
    expect(r.errors).toEqual([
      'compose.yaml:4:9  services.web.ports[0]  invalid port "80:abc": invalid containerPort: abc',
      'compose.yaml:5:9  services.web.ports[1]  invalid port "1-3:1-2": invalid ranges specified for container and host ports: 1-2 and 1-3',
      'compose.yaml:6:9  services.web.ports[2]  invalid port "0.0.0.0:70000:80": invalid hostPort: 70000',
      'compose.yaml:7:9  services.web.ports[3]  invalid port "300.1.1.1:80:80": invalid IP address: 300.1.1.1',
    ]);
  });
});

describe('canonical forms: volumes', () => {
  it('turns every short syntax into type/source/target with bind or volume options', () => {
    expect(
      service(`volumes:
  - /var/lib/anonymous
  - /opt/data:/var/lib/data
  - .:/code
  - ./static:/var/www/html/
  - ~/configs:/etc/configs:ro
  - datavolume:/var/lib/volume
  - data:/nocopy:nocopy,ro
  - ./src:/src:z,rshared,rw
  - c:/windows:/win
  - /a`),
    ).toEqual(
      y(`volumes:
  - {type: volume, target: /var/lib/anonymous, volume: {}}
  - {type: bind, source: /opt/data, target: /var/lib/data, bind: {create_host_path: true}}
  - {type: bind, source: ., target: /code, bind: {create_host_path: true}}
  - {type: bind, source: ./static, target: /var/www/html, bind: {create_host_path: true}}
  - {type: bind, source: ~/configs, target: /etc/configs, read_only: true, bind: {create_host_path: true}}
  - {type: volume, source: datavolume, target: /var/lib/volume, volume: {}}
  - {type: volume, source: data, target: /nocopy, read_only: true, volume: {nocopy: true}}
  - {type: bind, source: ./src, target: /src, bind: {selinux: z, propagation: rshared, create_host_path: true}}
  - {type: bind, source: "c:/windows", target: /win, bind: {create_host_path: true}}
  - {type: volume, target: /a}
`),
    );
  });

  it('keeps the long syntax and reads tmpfs sizes as bytes', () => {
    expect(service('volumes:\n  - {type: tmpfs, target: /t, tmpfs: {size: 10k}}\n  - {type: bind, source: ./x, target: /x}')).toEqual(
      y('volumes:\n  - {type: tmpfs, target: /t, tmpfs: {size: 10240}}\n  - {type: bind, source: ./x, target: /x}\n'),
    );
  });

  it('reports a malformed volume', () => {
    const r = forms('services:\n  web:\n    volumes:\n      - "aa:bb:cc:dd"\n      - "aa::bb"\n');
    expect(r.errors).toEqual([
      'compose.yaml:4:9  services.web.volumes[0]  invalid volume "aa:bb:cc:dd": too many colons: use SOURCE:TARGET[:OPTIONS]',
      'compose.yaml:5:9  services.web.volumes[1]  invalid volume "aa::bb": empty section between colons',
    ]);
  });
});

describe('canonical forms: lists and maps', () => {
  it('depends_on: a list becomes a map with condition and required; a map gets the defaults', () => {
    expect(service('depends_on: [db, redis]')).toEqual(
      y('depends_on: {db: {condition: service_started, required: true}, redis: {condition: service_started, required: true}}'),
    );
    expect(service('depends_on: {db: {condition: service_healthy}, x: {required: false, restart: true}}')).toEqual(
      y(
        'depends_on: {db: {condition: service_healthy, required: true}, x: {condition: service_started, required: false, restart: true}}',
      ),
    );
  });

  it('environment: list and map become a map of strings, a bare name is null', () => {
    expect(service('environment: [A=1, B=, C, "D=x=y"]')).toEqual(y('environment: {A: "1", B: "", C: null, D: "x=y"}'));
    expect(service('environment: {A: 1, B: 2.5, C: true, D: null, E: ""}')).toEqual(
      y('environment: {A: "1", B: "2.5", C: "true", D: null, E: ""}'),
    );
  });

  it('environment, build args, hook environment: a list entry whose name ends in a blank is an error at the entry (TestEnvironmentWhitespace)', () => {
    const r = forms(`services:
  test:
    environment:
      - DEBUG = true
      - OK=1
      - "TAB\t"
    build: {context: ., args: ["VERSION =1", "  LEADING=kept"]}
    post_start: [{command: x, environment: ["A =b"]}]
`);
    expect(r.errors).toEqual([
      'compose.yaml:4:9  services.test.environment[0]  environment variable DEBUG is declared with a trailing space: remove the blank after the name (write NAME=value)',
      'compose.yaml:6:9  services.test.environment[2]  environment variable TAB is declared with a trailing space: remove the blank after the name',
      'compose.yaml:7:32  services.test.build.args[0]  build argument VERSION is declared with a trailing space: remove the blank after the name (write NAME=value)',
      'compose.yaml:8:45  services.test.post_start[0].environment[0]  environment variable A is declared with a trailing space: remove the blank after the name (write NAME=value)',
    ]);
    // A blank inside the value, or in a map key, is not this error (Docker Compose checks list entries only).
    expect(service('environment: ["A=b ", "C= d"]')).toEqual(y('environment: {A: "b ", C: " d"}'));
    expect(service('environment: {"E ": x}')).toEqual(y('environment: {"E ": x}'));
  });

  it('labels, annotations, sysctls, build labels: a bare name is an empty string', () => {
    expect(service('labels: [a=b, c]\nannotations: [x=1]\nsysctls: [net.core.somaxconn=1024]\nbuild: {labels: [FOO=BAR]}')).toEqual(
      y(`labels: {a: b, c: ""}
annotations: {x: "1"}
sysctls: {net.core.somaxconn: "1024"}
build: {context: ., labels: {FOO: BAR}}`),
    );
    expect(service('labels: {n: 42, e: null}')).toEqual(y('labels: {n: "42", e: ""}'));
  });

  it('env_file: a path or a list of paths becomes a list of {path, required}', () => {
    expect(service('env_file: .env')).toEqual(y('env_file: [{path: .env, required: true}]'));
    expect(service('env_file: [a.env, {path: b.env, required: false}, {path: c.env}]')).toEqual(
      y('env_file: [{path: a.env, required: true}, {path: b.env, required: false}, {path: c.env, required: true}]'),
    );
  });

  it('models: a list becomes a map of null; a map keeps its null entries (models: {llm: })', () => {
    expect(service('models: [llm, embed]')).toEqual(y('models: {llm: null, embed: null}'));
    expect(service('models:\n  llm:\n  vision: {endpoint_var: V}')).toEqual(y('models: {llm: null, vision: {endpoint_var: V}}'));
  });

  it('networks: a list becomes a map of null', () => {
    expect(service('networks: [front, back]')).toEqual(y('networks: {front: null, back: null}'));
    expect(service('networks: {front: {aliases: [a]}, back: null}')).toEqual(y('networks: {front: {aliases: [a]}, back: null}'));
  });

  it('string-or-list attributes become lists', () => {
    expect(service('dns: 8.8.8.8\ndns_search: example.com\ntmpfs: /run\nlabel_file: ./l\nbuild: {context: ., tags: a:1}')).toEqual(
      y('dns: [8.8.8.8]\ndns_search: [example.com]\ntmpfs: [/run]\nlabel_file: [./l]\nbuild: {context: ., tags: ["a:1"]}'),
    );
  });

  it('extra_hosts: map or host:ip / host=ip list becomes a sorted host=ip list', () => {
    expect(service('extra_hosts: ["somehost:162.242.195.82", "otherhost=50.31.209.229", "v6:[::1]"]')).toEqual(
      y('extra_hosts: [otherhost=50.31.209.229, somehost=162.242.195.82, "v6=::1"]'),
    );
    expect(service('extra_hosts: {b: 1.1.1.1, a: [2.2.2.2, 3.3.3.3]}')).toEqual(y('extra_hosts: [a=2.2.2.2, a=3.3.3.3, b=1.1.1.1]'));
  });

  it('expose: numbers become text', () => {
    expect(service('expose: ["3000", 8000, "9000-9001"]')).toEqual(y('expose: ["3000", "8000", "9000-9001"]'));
  });
});

describe('canonical forms: commands, health, build', () => {
  it('splits command and entrypoint strings like a shell (quotes, escapes)', () => {
    expect(service(`command: bundle exec thin -p 3000\nentrypoint: sh -c 'echo "a b"' x\\ y`)).toEqual(
      y(`command: [bundle, exec, thin, -p, "3000"]\nentrypoint: [sh, -c, 'echo "a b"', x y]`),
    );
    expect(service('command: [echo, 1]')).toEqual(y('command: [echo, "1"]'));
  });

  it('stops at a shell operator, as Docker Compose does, and says so', () => {
    const r = forms('services:\n  web:\n    command: echo a && echo b\n');
    expect((r.tree.services as TreeMap).web).toEqual(y('command: [echo, a]'));
    expect(r.warnings).toEqual([
      'compose.yaml:3:14  services.web.command  the text from "&& echo b" on is ignored, as Docker Compose does: shell operators need a shell, e.g. ["sh", "-c", "…"]',
    ]);
  });

  it('healthcheck: a string test runs in a shell; durations as Go prints them', () => {
    expect(service('healthcheck: {test: echo "hello world", interval: 90s, timeout: 1.5s, start_period: 1h, start_interval: 500ms, retries: 5}')).toEqual(
      y('healthcheck: {test: [CMD-SHELL, echo "hello world"], interval: 1m30s, timeout: 1.5s, start_period: 1h0m0s, start_interval: 500ms, retries: 5}'),
    );
  });

  it('build: a string is the context; a map without context gets "."', () => {
    expect(service('build: ./dir')).toEqual(y('build: {context: ./dir}'));
    expect(service('build: {dockerfile_inline: FROM alpine}')).toEqual(y('build: {dockerfile_inline: FROM alpine, context: .}'));
  });

  it('build: args and ssh in their list forms', () => {
    expect(service('build: {args: [A=1, B], ssh: {mykey: ./id, default: null}, additional_contexts: [foo=./bar]}')).toEqual(
      y('build: {context: ., args: {A: "1", B: null}, ssh: [default, mykey=./id], additional_contexts: {foo: ./bar}}'),
    );
    expect(service('build: {ssh: default}')).toEqual(y('build: {context: ., ssh: [default]}'));
  });

  it('extends: a string names a service of the same file', () => {
    expect(service('extends: base')).toEqual(y('extends: {service: base}'));
  });
});

describe('canonical forms: sizes, numbers, durations', () => {
  it('reads byte sizes with binary units and cpus as a number', () => {
    expect(
      service(`mem_limit: 50M
mem_reservation: 1gb
memswap_limit: -1
shm_size: 1.5k
cpus: "0.5"
cpu_shares: "512"
stop_grace_period: 20s
deploy:
  resources: {limits: {cpus: '0.001', memory: 50M}, reservations: {memory: 20M}}
  restart_policy: {delay: 5s, window: 120s}
  update_config: {monitor: 60s}`),
    ).toEqual(
      y(`mem_limit: 52428800
mem_reservation: 1073741824
memswap_limit: -1
shm_size: 1536
cpus: 0.5
cpu_shares: 512
stop_grace_period: 20s
deploy:
  resources: {limits: {cpus: 0.001, memory: 52428800}, reservations: {memory: 20971520}}
  restart_policy: {delay: 5s, window: 2m0s}
  update_config: {monitor: 1m0s}`),
    );
  });

  it('reports sizes and durations it cannot read', () => {
    const r = forms('services:\n  web:\n    mem_limit: lots\n    stop_grace_period: 10 seconds\n');
    expect(r.errors).toEqual([
      'compose.yaml:3:16  services.web.mem_limit  invalid size "lots": use a number of bytes or a number with a unit (b, k, m, g), e.g. 512m',
      'compose.yaml:4:24  services.web.stop_grace_period  invalid duration "10 seconds": use a number with a unit (ns, us, ms, s, m, h), e.g. 1m30s',
    ]);
  });

  it('ulimits: a number or soft/hard', () => {
    expect(service('ulimits: {nproc: 65535, nofile: {soft: "20000", hard: 40000}}')).toEqual(
      y('ulimits: {nproc: 65535, nofile: {soft: 20000, hard: 40000}}'),
    );
  });
});

describe('canonical forms: mounts, devices, gpus', () => {
  it('secrets and configs: a name becomes {source}; uid/gid text; an octal text mode becomes its bits', () => {
    expect(service('secrets: [s1, {source: s2, uid: 103, mode: "0440"}]\nconfigs: [c1]')).toEqual(
      y('secrets: [{source: s1}, {source: s2, uid: "103", mode: 288}]\nconfigs: [{source: c1}]'),
    );
  });

  it('devices: SOURCE[:TARGET[:PERMISSIONS]]', () => {
    expect(service('devices: ["/dev/a", "/dev/b:/dev/c", "/dev/d:/dev/e:r", {source: /x, target: /y}]')).toEqual(
      y(`devices:
  - {source: /dev/a, target: /dev/a, permissions: rwm}
  - {source: /dev/b, target: /dev/c, permissions: rwm}
  - {source: /dev/d, target: /dev/e, permissions: r}
  - {source: /x, target: /y}`),
    );
  });

  it('gpus: all is every device (count -1)', () => {
    expect(service('gpus: all')).toEqual(y('gpus: [{count: -1}]'));
    expect(service('gpus: [{driver: nvidia, count: all}]')).toEqual(y('gpus: [{driver: nvidia, count: -1}]'));
  });

  it('develop.watch: a list of paths is one rule per path', () => {
    expect(service('develop: {watch: [{path: [a, b], action: sync, target: /t}]}')).toEqual(
      y('develop: {watch: [{path: a, action: sync, target: /t}, {path: b, action: sync, target: /t}]}'),
    );
  });
});

describe('canonical forms: top-level resources', () => {
  it('an empty resource is an empty map; external.name moves to name (with a warning)', () => {
    const r = forms(`networks:
  a:
  b: {external: {name: real-b}}
volumes:
  c: {external: true, x-y: z}
secrets:
  d: {name: n, external: {name: n}}
configs:
  e: {file: ./e, labels: [k=v]}
`);
    expect(r.tree).toEqual(
      y(`networks: {a: {}, b: {external: true, name: real-b}}
volumes: {c: {external: true, x-y: z}}
secrets: {d: {name: n, external: true}}
configs: {e: {file: ./e, labels: {k: v}}}`),
    );
    expect(r.warnings).toEqual([
      'compose.yaml:3:6  networks.b.external.name  external.name is deprecated: set name and external: true',
      'compose.yaml:7:6  secrets.d.external.name  external.name is deprecated: set name and external: true',
    ]);
  });

  it('rejects name and external.name that disagree', () => {
    const r = forms('volumes:\n  v: {name: a, external: {name: b}}\n');
    expect(r.errors).toEqual(['compose.yaml:2:6  volumes.v  name "a" and external.name "b" conflict: only use name']);
  });

  it('driver_opts values become text', () => {
    expect(forms('networks:\n  n: {driver_opts: {baz: 1, foo: bar}}\n').tree).toEqual(y('networks: {n: {driver_opts: {baz: "1", foo: bar}}}'));
  });

  it('leaves x- extensions and unknown attributes alone', () => {
    expect(forms('x-foo: {a: [1]}\nservices:\n  web:\n    image: a\n    x-bar: [b]\n').tree).toEqual(
      y('x-foo: {a: [1]}\nservices: {web: {image: a, x-bar: [b]}}'),
    );
  });

  it('a service written as null is an empty service', () => {
    expect(forms('services:\n  web:\n').tree).toEqual(y('services: {web: {}}'));
  });
});
