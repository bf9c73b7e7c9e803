import { checkImageOrBuild } from '../../../../../src/compose/loader/checks/image-or-build';
import { lines, tree } from './helpers';

describe('checkImageOrBuild', () => {
  it('accepts image, build or provider', () => {
    const t = tree(`services:
  a: {image: a}
  b: {build: {context: .}}
  c: {provider: {type: model}}
`);
    expect(checkImageOrBuild(t)).toEqual([]);
  });

  it('reports each service with neither, at its name', () => {
    const t = tree(`services:
  a: {command: run}
  b:
    environment: {X: "1"}
  c: {image: ""}
`);
    expect(lines(checkImageOrBuild(t))).toEqual([
      'c.yaml:2:3  services.a  service "a" has neither an image nor a build section: add "image: <name>" to run an existing image, or "build: <directory>" to build one',
      'c.yaml:3:3  services.b  service "b" has neither an image nor a build section: add "image: <name>" to run an existing image, or "build: <directory>" to build one',
      'c.yaml:5:14  services.c.image  service "c" has an empty image (is a variable in it unset?) and no build section: add "image: <name>" to run an existing image, or "build: <directory>" to build one',
    ]);
  });
});
