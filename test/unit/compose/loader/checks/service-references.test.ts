import { checkServiceReferences } from '../../../../../src/compose/loader/checks/service-references';
import { originOf, withOrigin, type TreeMap } from '../../../../../src/compose/loader/tree';
import { lines, tree } from './helpers';

describe('checkServiceReferences', () => {
  it('accepts references to existing services and to outside containers', () => {
    const t = tree(`services:
  web:
    image: web
    depends_on: {db: {condition: service_healthy, required: true}}
    links: [db, "db:database"]
    volumes_from: [db, "db:ro", "container:outside", "container:outside:rw"]
    pid: "service:db"
    ipc: "container:other"
    build: {context: ., additional_contexts: {base: "service:db", src: ./src}}
  proxy: {image: proxy, network_mode: "service:web"}
  db: {image: db}
`);
    expect(checkServiceReferences(t)).toEqual([]);
  });

  it('reports every reference to an unknown service, suggesting close names', () => {
    const t = tree(`services:
  web:
    image: web
    depends_on:
      dbb: {condition: service_started, required: true}
      cache: {condition: service_started, required: false}
    links: ["dbb:database"]
    volumes_from: ["dbb", "data:ro"]
    network_mode: "service:vpn"
    pid: "service:db"
    ipc: "service:web2"
    extends: {service: bse}
    build:
      context: .
      additional_contexts: {base: "service:builder"}
  db: {image: db}
  base: {image: base}
`);
    expect(lines(checkServiceReferences(t))).toEqual([
      'c.yaml:5:7  services.web.depends_on.dbb  service "web" depends on undefined service "dbb" — did you mean "db"?',
      'c.yaml:6:7  services.web.depends_on.cache  service "web" depends on undefined service "cache": define that service or remove it from depends_on',
      'c.yaml:12:24  services.web.extends.service  service "web" extends undefined service "bse" — did you mean "base"?',
      'c.yaml:7:13  services.web.links[0]  service "web" links to undefined service "dbb" — did you mean "db"?',
      'c.yaml:8:20  services.web.volumes_from[0]  service "web" mounts volumes from undefined service "dbb" — did you mean "db"?',
      'c.yaml:8:27  services.web.volumes_from[1]  service "web" mounts volumes from undefined service "data": for a container not managed by Compose write "container:data"',
      'c.yaml:9:19  services.web.network_mode  service "web" uses the network stack of undefined service "vpn": for a container not managed by Compose write "container:vpn"',
      'c.yaml:11:10  services.web.ipc  service "web" shares the IPC namespace of undefined service "web2" — did you mean "web"?',
      'c.yaml:15:35  services.web.build.additional_contexts.base  service "web" uses as build context "base" the image of undefined service "builder": name a service of this project that builds an image',
    ]);
  });

  it('reads list-form depends_on and string extends', () => {
    const t = tree(`services:
  web: {image: web, depends_on: [db, queue], extends: nothere}
  db: {image: db}
`);
    expect(checkServiceReferences(t).map((d) => d.message)).toEqual([
      'service "web" depends on undefined service "queue": define that service or remove it from depends_on',
      'service "web" extends undefined service "nothere": name a service defined in this file, or add "file:" for one in another file',
    ]);
  });

  it('leaves extends from another file alone', () => {
    const t = tree(`services:
  web: {image: web, extends: {file: other.yaml, service: base}}
`);
    expect(checkServiceReferences(t)).toEqual([]);
  });

  it('reports a link to an unknown service once, at the link, not at the depends_on entry normalization implied', () => {
    const t = tree(`services:
  web:
    image: web
    depends_on: {db: {condition: service_started, required: true}}
    links: [dbb]
  db: {image: db}
`);
    // As normalization leaves it: an implied depends_on entry without a written position of its own.
    const web = (t.services as TreeMap).web as TreeMap;
    const deps = web.depends_on as TreeMap;
    web.depends_on = withOrigin({ ...deps, dbb: { condition: 'service_started', required: true, restart: true } }, originOf(deps));
    expect(lines(checkServiceReferences(t))).toEqual([
      'c.yaml:5:13  services.web.links[0]  service "web" links to undefined service "dbb" — did you mean "db"?',
    ]);
  });

  it('checks uts and cgroup service namespaces too', () => {
    const t = tree(`services:
  web: {image: web, uts: "service:nope", cgroup: "service:nope2"}
`);
    expect(checkServiceReferences(t).map((d) => d.path)).toEqual(['services.web.uts', 'services.web.cgroup']);
  });
});
