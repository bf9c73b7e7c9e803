import { checkContainerNames } from '../../../../../src/compose/loader/checks/container-names';
import { lines, tree } from './helpers';

describe('checkContainerNames', () => {
  it('accepts a container_name with one replica', () => {
    const t = tree(`services:
  web: {image: web, container_name: web1, scale: 1}
  api: {image: api, container_name: api1, deploy: {replicas: 1}}
  many: {image: many, scale: 5}
`);
    expect(checkContainerNames(t)).toEqual([]);
  });

  it('rejects container_name with scale or deploy.replicas above one', () => {
    const t = tree(`services:
  web:
    image: web
    container_name: web1
    scale: 3
  api:
    image: api
    container_name: api1
    deploy: {replicas: "2"}
`);
    expect(lines(checkContainerNames(t))).toEqual([
      'c.yaml:4:21  services.web.container_name  service "web" sets container_name "web1" but asks for 3 replicas (scale): a container name is unique, so remove container_name or run a single replica',
      'c.yaml:8:21  services.api.container_name  service "api" sets container_name "api1" but asks for 2 replicas (deploy.replicas): a container name is unique, so remove container_name or run a single replica',
    ]);
  });

  it('rejects two services with the same container_name', () => {
    const t = tree(`services:
  a: {image: a, container_name: app}
  b: {image: b, container_name: app}
  c: {image: c, container_name: app}
`);
    expect(checkContainerNames(t).map((d) => `${d.pos?.line} ${d.message}`)).toEqual([
      '3 container name "app" is already used by service "a": each service needs its own container_name',
      '4 container name "app" is already used by service "a": each service needs its own container_name',
    ]);
  });
});
