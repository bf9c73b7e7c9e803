import { checkMountTargets } from '../../../../../src/compose/loader/checks/mount-targets';
import { lines, tree } from './helpers';

describe('checkMountTargets', () => {
  it('accepts mounts with a target', () => {
    const t = tree(`services:
  web: {image: web, volumes: [{type: bind, source: ., target: /src}, {type: tmpfs, target: /tmp}, {type: volume, target: /anon}]}
`);
    expect(checkMountTargets(t)).toEqual([]);
  });

  it('reports each mount without a target', () => {
    const t = tree(`services:
  web:
    image: web
    volumes:
      - type: bind
        source: ./site
      - {type: tmpfs, target: ""}
`);
    expect(lines(checkMountTargets(t))).toEqual([
      'c.yaml:5:9  services.web.volumes[0]  this bind mount has no target: add "target: /path/in/container" to say where it is mounted',
      'c.yaml:7:9  services.web.volumes[1]  this tmpfs mount has no target: add "target: /path/in/container" to say where it is mounted',
    ]);
  });
});
