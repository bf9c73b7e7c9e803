import { checkUndefinedResources } from '../../../../../src/compose/loader/checks/undefined-resources';
import { lines, tree } from './helpers';

describe('checkUndefinedResources', () => {
  it('accepts declared resources and the implicit default network', () => {
    const t = tree(`services:
  web:
    image: web
    networks: {default: null, front: {aliases: [w]}}
    volumes:
      - {type: volume, source: data, target: /data}
      - {type: volume, target: /anon}
      - {type: bind, source: /srv, target: /srv}
      - {type: tmpfs, target: /tmp}
    secrets: [{source: token, target: token}]
    configs: [{source: conf, target: /etc/conf}]
    build: {context: ., secrets: [{source: token, target: token}]}
networks: {front: {}}
volumes: {data: {}}
secrets: {token: {file: ./t}}
configs: {conf: {file: ./c}}
`);
    expect(checkUndefinedResources(t)).toEqual([]);
  });

  it('reports every undefined network, volume, secret and config with its position', () => {
    const t = tree(`services:
  web:
    image: web
    networks:
      frontend: null
      backnd: {}
    volumes:
      - {type: volume, source: dta, target: /data}
      - type: volume
        source: logs
        target: /logs
    secrets:
      - {source: tokn, target: tokn}
    configs:
      - {source: app, target: /app}
    build:
      context: .
      secrets: [{source: ssh, target: ssh}]
  worker:
    image: worker
    networks: {backnd: null}
networks: {backend: {}}
volumes: {data: {}}
secrets: {token: {file: ./t}}
`);
    expect(lines(checkUndefinedResources(t))).toEqual([
      'c.yaml:5:7  services.web.networks.frontend  service "web" uses undefined network "frontend": declare it under the top-level "networks:"',
      'c.yaml:6:7  services.web.networks.backnd  service "web" uses undefined network "backnd" — did you mean "backend"?',
      'c.yaml:21:16  services.worker.networks.backnd  service "worker" uses undefined network "backnd" — did you mean "backend"?',
      'c.yaml:8:9  services.web.volumes[0]  service "web" uses undefined volume "dta" — did you mean "data"?',
      'c.yaml:9:9  services.web.volumes[1]  service "web" uses undefined volume "logs": declare it under the top-level "volumes:"',
      'c.yaml:13:9  services.web.secrets[0]  service "web" uses undefined secret "tokn" — did you mean "token"?',
      'c.yaml:18:17  services.web.build.secrets[0]  service "web" uses undefined secret "ssh": declare it under the top-level "secrets:"',
      'c.yaml:15:9  services.web.configs[0]  service "web" uses undefined config "app": declare it under the top-level "configs:"',
    ]);
  });

  it('reads list-form networks and short-form secrets too', () => {
    const t = tree(`services:
  web: {image: web, networks: [default, front], secrets: [s1]}
`);
    expect(checkUndefinedResources(t).map((d) => d.path)).toEqual(['services.web.networks[1]', 'services.web.secrets[0]']);
  });

  it('checks service models against top-level models', () => {
    const t = tree(`services:
  app: {image: app, models: {llm: {endpoint_var: URL}, embed: null}}
models: {llm: {model: ai/smollm2}}
`);
    expect(lines(checkUndefinedResources(t))).toEqual([
      'c.yaml:2:56  services.app.models.embed  service "app" uses undefined model "embed": declare it under the top-level "models:"',
    ]);
  });
});
