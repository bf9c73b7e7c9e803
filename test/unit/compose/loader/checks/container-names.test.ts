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

  it('accepts two services with the same container_name: Docker Compose fails only when creating both', () => {
    const t = tree(`services:
  a: {image: a, container_name: app}
  b: {image: b, container_name: app}
  c: {image: c, container_name: app, scale: 2}
`);
    expect(lines(checkContainerNames(t))).toEqual([
      'c.yaml:4:33  services.c.container_name  service "c" sets container_name "app" but asks for 2 replicas (scale): a container name is unique, so remove container_name or run a single replica',
    ]);
  });
});
