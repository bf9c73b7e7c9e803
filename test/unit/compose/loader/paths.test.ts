import { parse } from 'yaml';
import { parseYaml } from '../../../../src/compose/loader/parse';
import * as path from 'node:path';
import { resolveProjectPaths, resolverFor, resolveServicePaths } from '../../../../src/compose/loader/paths';
import { originOf, stripOrigins, type TreeMap } from '../../../../src/compose/loader/tree';

const tree = (text: string): TreeMap => parseYaml(text, '/p/compose.yaml').tree;
const opts = { homeDir: '/home/me' };

describe('path resolution', () => {
  it('resolves service paths in short and long syntax', () => {
    const t = tree(`services:
  web:
    build: ./app
    env_file: [a.env, {path: ~/b.env, required: false}]
    label_file: ./l
    extends: {file: ../base.yaml, service: b}
    volumes:
      - .:/code
      - ./static:/static:ro
      - ~/cfg:/cfg
      - ~:/h
      - data:/data
      - /abs:/abs
      - /anonymous
      - {type: bind, source: ../up, target: /up}
      - {type: volume, source: ./not-a-path, target: /v}
    develop: {watch: [{path: ./src, action: sync, target: /src}]}
  job:
    build: {context: ctx, additional_contexts: {a: ./a, img: docker-image://alpine}, ssh: [default, key=./id]}
`);
    expect(stripOrigins(resolveProjectPaths(t, '/p', opts))).toEqual(
      parse(`services:
  web:
    build: /p/app
    env_file: [/p/a.env, {path: /home/me/b.env, required: false}]
    label_file: /p/l
    extends: {file: /base.yaml, service: b}
    volumes:
      - /p:/code
      - /p/static:/static:ro
      - /home/me/cfg:/cfg
      - /home/me:/h
      - data:/data
      - /abs:/abs
      - /anonymous
      - {type: bind, source: /up, target: /up}
      - {type: volume, source: ./not-a-path, target: /v}
    develop: {watch: [{path: /p/src, action: sync, target: /src}]}
  job:
    build: {context: /p/ctx, additional_contexts: {a: /p/a, img: "docker-image://alpine"}, ssh: [default, key=/p/id]}
`),
    );
  });

  it('leaves remote build contexts alone', () => {
    for (const ctx of ['https://github.com/a/b.git', 'git@github.com:a/b.git', 'github.com/a/b', 'git://x/y', 'ssh://x/y']) {
      const svc = resolveServicePaths(tree(`build: {context: "${ctx}"}`), '/p');
      expect(stripOrigins(svc)).toEqual({ build: { context: ctx } });
      expect(stripOrigins(resolveServicePaths(tree(`build: "${ctx}"`), '/p'))).toEqual({ build: ctx });
    }
  });

  it('resolves configs, secrets and bind devices of local volumes', () => {
    const t = tree(`configs:
  c: {file: ./c.txt}
  e: {external: true}
secrets:
  s: {file: ~/s.txt}
  env: {environment: X}
volumes:
  bound: {driver: local, driver_opts: {type: none, o: bind, device: ./data}}
  implicit-local: {driver_opts: {o: "bind,ro", device: data}}
  nfs: {driver_opts: {type: nfs, o: "addr=1.2.3.4", device: ":/export"}}
  other: {driver: flocker, driver_opts: {o: bind, device: ./x}}
`);
    expect(stripOrigins(resolveProjectPaths(t, '/p', opts))).toEqual(
      parse(`configs:
  c: {file: /p/c.txt}
  e: {external: true}
secrets:
  s: {file: /home/me/s.txt}
  env: {environment: X}
volumes:
  bound: {driver: local, driver_opts: {type: none, o: bind, device: /p/data}}
  implicit-local: {driver_opts: {o: "bind,ro", device: /p/data}}
  nfs: {driver_opts: {type: nfs, o: "addr=1.2.3.4", device: ":/export"}}
  other: {driver: flocker, driver_opts: {o: bind, device: ./x}}
`),
    );
  });

  it('keeps ~ as written without a home directory, and is idempotent', () => {
    const t = tree('services:\n  a:\n    volumes: ["~/x:/x", "./y:/y"]\n');
    expect(stripOrigins(resolveProjectPaths(t, '/p'))).toEqual(parse('services: {a: {volumes: ["~/x:/x", "/p/y:/y"]}}'));
    const once = resolveProjectPaths(t, '/p', opts);
    expect(stripOrigins(resolveProjectPaths(once, '/elsewhere', opts))).toEqual(stripOrigins(once));
  });

  it('keeps origins and does not touch its input', () => {
    const t = tree('services:\n  a:\n    volumes: ["./y:/y"]\n');
    const out = resolveProjectPaths(t, '/p');
    expect(stripOrigins(t)).toEqual({ services: { a: { volumes: ['./y:/y'] } } });
    const volumes = (out.services as TreeMap).a as TreeMap;
    expect(originOf(volumes.volumes)?.items?.[0]).toEqual({ file: '/p/compose.yaml', line: 3, col: 15 });
  });

  it('joins a relative path to the base directory exactly as path.join does', () => {
    const names = ['a', 'b', '.', '..', '', '.env', '..x', 'x..', '...', 'c d', '\\'];
    let seed = 5;
    const rnd = (n: number): number => {
      seed = (seed * 16807) % 2147483647;
      return seed % n;
    };
    for (const base of ['/p', '/srv/project/dir', '/a/b/', '/', '/a//b', '/a/./b', '/x/..']) {
      const resolve = resolverFor(base, {});
      for (let i = 0; i < 3000; i++) {
        let p = Array.from({ length: 1 + rnd(4) }, () => names[rnd(names.length)]).join('/');
        if (rnd(3) === 0) p = `./${p}`;
        if (rnd(6) === 0) p = `${p}/`;
        if (p === '' || path.posix.isAbsolute(p)) continue;
        expect([base, p, resolve(p)]).toEqual([base, p, path.join(base, p)]);
      }
    }
  });
});
