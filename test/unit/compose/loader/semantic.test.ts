import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatDiagnostic } from '../../../../src/compose/errors';
import { parseYaml } from '../../../../src/compose/loader/parse';
import { checkSemantics, semanticChecks } from '../../../../src/compose/loader/semantic';
import type { TreeMap } from '../../../../src/compose/loader/tree';
import { CONFORMANCE } from '../../../shared';

const tree = (yaml: string, file = 'c.yaml'): TreeMap => parseYaml(yaml, file).tree;
const TESTDATA = path.join(CONFORMANCE, 'compose-go/loader/testdata');

describe('checkSemantics', () => {
  it('accepts a valid normalized project', () => {
    const t = tree(`name: shop
services:
  web:
    image: nginx
    depends_on: {api: {condition: service_healthy, required: true, restart: true}}
    networks: {front: null, default: null}
    ports: [{target: 80, published: "8080", host_ip: "", protocol: tcp, mode: ingress}]
  api:
    build: {context: ./api}
    volumes: [{type: volume, source: data, target: /data}]
    secrets: [{source: token, target: token}]
    configs: [{source: conf, target: /conf}]
    container_name: shop-api
networks: {front: {}, default: {name: shop_default}}
volumes: {data: {}}
secrets: {token: {file: ./token}}
configs: {conf: {external: true, name: real-conf}}
`);
    expect(checkSemantics(t)).toEqual([]);
  });

  it('runs every check and reports all problems in source order', () => {
    const t = tree(`services:
  web:
    image: nginx
    depends_on:
      dbb: {condition: service_started, required: true}
    ports:
      - {target: 80, published: "8080", protocol: tcp}
      - {target: 81, published: "8080", protocol: tcp}
    networks: {back: null}
    container_name: web
    scale: 2
  nothing:
    command: ["true"]
  db:
    image: db
    depends_on: {db: {condition: service_started, required: true}}
volumes:
  ext: {external: true, driver: local}
`);
    expect(checkSemantics(t).map(formatDiagnostic)).toEqual([
      'c.yaml:5:7  services.web.depends_on.dbb  service "web" depends on undefined service "dbb" — did you mean "db"?',
      'c.yaml:8:9  services.web.ports[1]  host port 8080/tcp is already published by this service at services.web.ports[0] (line 7): publish a different host port',
      'c.yaml:9:16  services.web.networks.back  service "web" uses undefined network "back": declare it under the top-level "networks:"',
      'c.yaml:10:21  services.web.container_name  service "web" sets container_name "web" but asks for 2 replicas (scale): a container name is unique, so remove container_name or run a single replica',
      'c.yaml:12:3  services.nothing  service "nothing" has neither an image nor a build section: add "image: <name>" to run an existing image, or "build: <directory>" to build one',
      'c.yaml:16:18  services.db.depends_on.db  service "db" depends on itself: remove "db" from its depends_on',
      'c.yaml:18:25  volumes.ext.driver  volume "ext" is external (it exists outside this project and Compose never creates it), so "driver" cannot be set: remove "driver", or remove "external: true" to let Compose create it',
    ]);
  });

  it('keeps the file of each problem and groups by file', () => {
    const base = tree(`services:\n  a: {image: a, networks: {x: null}}\n`, 'base.yaml');
    const sub = tree(`b: {image: b, networks: {y: null}}\n`, 'sub.yaml');
    const t: TreeMap = { ...base, services: { ...(base.services as TreeMap), b: sub.b } };
    expect(checkSemantics(t).map((d) => `${d.pos?.file}:${d.pos?.line} ${d.path}`)).toEqual([
      'base.yaml:2 services.a.networks.x',
      'sub.yaml:1 services.b.networks.y',
    ]);
  });

  it('rejects the conformance dependency cycle', () => {
    const file = path.join(TESTDATA, 'compose-depends-on-cycle.yaml');
    const ds = checkSemantics(tree(fs.readFileSync(file, 'utf8'), file));
    expect(ds.map((d) => d.message)).toEqual([
      'dependency cycle detected: service1 -> service2 -> service3 -> service1; remove one of these depends_on entries',
    ]);
  });

  it('runs the build platforms check and no longer refuses a shared container_name (Docker Compose fails only at creation)', () => {
    const t = tree(`services:
  a: {image: a, container_name: app, platform: linux/riscv64, build: {context: ., platforms: [linux/amd64]}}
  b: {image: b, container_name: app}
`);
    expect(checkSemantics(t).map(formatDiagnostic)).toEqual([
      'c.yaml:2:48  services.a.platform  service "a" runs on platform "linux/riscv64" but its build.platforms (linux/amd64) does not include it: build.platforms must list the service\'s platform',
    ]);
  });

  it('tolerates a tree without services', () => {
    expect(checkSemantics(tree('networks: {a: {}}\n'))).toEqual([]);
    expect(semanticChecks.length).toBeGreaterThanOrEqual(8);
  });
});
