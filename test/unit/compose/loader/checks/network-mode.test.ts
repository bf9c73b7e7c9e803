import { checkNetworkMode } from '../../../../../src/compose/loader/checks/network-mode';
import { lines, tree } from './helpers';

describe('checkNetworkMode', () => {
  it('accepts network_mode alone and networks alone', () => {
    const t = tree(`services:
  a: {image: a, network_mode: host}
  b: {image: b, networks: {default: null}}
  c: {image: c, network_mode: "service:a", networks: {}}
`);
    expect(checkNetworkMode(t)).toEqual([]);
  });

  it('rejects both together', () => {
    const t = tree(`services:
  a:
    image: a
    network_mode: host
    networks: [front]
`);
    expect(lines(checkNetworkMode(t))).toEqual([
      'c.yaml:5:5  services.a.networks  service "a" sets both network_mode "host" and networks: they are mutually exclusive, keep only one',
    ]);
  });
});
