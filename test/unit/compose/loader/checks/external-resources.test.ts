import { checkExternalResources } from '../../../../../src/compose/loader/checks/external-resources';
import { lines, tree } from './helpers';

describe('checkExternalResources', () => {
  it('accepts external resources with only a name (and extensions)', () => {
    const t = tree(`networks:
  outside: {external: true, name: real, x-note: hi, labels: {}}
  mine: {driver: bridge, external: false}
volumes:
  data: {external: true}
secrets:
  s: {external: true, name: "s1", template_driver: golang}
`);
    expect(checkExternalResources(t)).toEqual([]);
  });

  it('rejects creation attributes on every kind of external resource', () => {
    const t = tree(`networks:
  outside:
    external: true
    driver: overlay
    ipam: {config: [{subnet: 10.0.0.0/24}]}
volumes:
  data:
    external: {name: real}
    driver_opts: {type: nfs}
secrets:
  s: {external: true, file: ./secret.txt}
configs:
  c: {external: true, content: hello}
`);
    expect(lines(checkExternalResources(t))).toEqual([
      'c.yaml:4:5  networks.outside.driver  network "outside" is external (it exists outside this project and Compose never creates it), so "driver" cannot be set: remove "driver", or remove "external: true" to let Compose create it',
      'c.yaml:5:5  networks.outside.ipam  network "outside" is external (it exists outside this project and Compose never creates it), so "ipam" cannot be set: remove "ipam", or remove "external: true" to let Compose create it',
      'c.yaml:9:5  volumes.data.driver_opts  volume "data" is external (it exists outside this project and Compose never creates it), so "driver_opts" cannot be set: remove "driver_opts", or remove "external: true" to let Compose create it',
      'c.yaml:11:23  secrets.s.file  secret "s" is external (it exists outside this project and Compose never creates it), so "file" cannot be set: remove "file", or remove "external: true" to let Compose create it',
      'c.yaml:13:23  configs.c.content  config "c" is external (it exists outside this project and Compose never creates it), so "content" cannot be set: remove "content", or remove "external: true" to let Compose create it',
    ]);
  });
});
