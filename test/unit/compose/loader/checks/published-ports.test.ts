import { checkPublishedPorts, hostIpsOverlap } from '../../../../../src/compose/loader/checks/published-ports';
import { lines, tree } from './helpers';

const port = (published: string, extra = ''): string => `{target: 80, published: "${published}", protocol: tcp, mode: ingress${extra}}`;

describe('checkPublishedPorts', () => {
  it('accepts distinct ports, protocols and host addresses', () => {
    const t = tree(`services:
  a: {image: a, ports: [${port('8080')}, ${port('8081')}, {target: 53, published: "53", protocol: udp}]}
  b: {image: b, ports: [${port('8082')}, {target: 53, published: "53", protocol: tcp}, ${port('9000', ', host_ip: 127.0.0.1')}]}
  c: {image: c, ports: [${port('9000', ', host_ip: 127.0.0.2')}, {target: 80}, ${port('')}, ${port('7000-7010')}, ${port('7000-7010')}]}
  d: {image: d, ports: [${port('9001', ', host_ip: "::1"')}]}
  e: {image: e, ports: [${port('9001', ', host_ip: 127.0.0.1')}]}
`);
    expect(checkPublishedPorts(t)).toEqual([]);
  });

  it('reports a host port published twice, naming the first owner', () => {
    const t = tree(`services:
  a:
    image: a
    ports:
      - ${port('8080')}
  b:
    image: b
    ports:
      - ${port('8081')}
      - {target: 81, published: "8080", protocol: tcp}
  c:
    image: c
    ports:
      - ${port('8080', ', host_ip: 127.0.0.1')}
`);
    expect(lines(checkPublishedPorts(t))).toEqual([
      'c.yaml:10:9  services.b.ports[1]  host port 8080/tcp is already published by service "a" at services.a.ports[0] (line 5): publish a different host port',
      'c.yaml:14:9  services.c.ports[0]  host port 8080/tcp on 127.0.0.1 is already published by service "a" at services.a.ports[0] (line 5): publish a different host port',
    ]);
  });

  it('reports a port published twice by one service to different targets, not exact repeats', () => {
    const t = tree(`services:
  a:
    image: a
    ports: [${port('8080')}, ${port('8080')}, {target: 81, published: 8080}]
`);
    expect(checkPublishedPorts(t).map((d) => `${d.path} ${d.message}`)).toEqual([
      'services.a.ports[2] host port 8080/tcp is already published by this service at services.a.ports[0] (line 4): publish a different host port',
    ]);
  });

  it('ignores services kept apart by profiles', () => {
    const t = tree(`services:
  dev: {image: a, profiles: [dev], ports: [${port('8080')}]}
  prod: {image: a, profiles: [prod], ports: [${port('8080')}]}
  both: {image: a, profiles: [prod, test], ports: [${port('8080')}]}
`);
    expect(checkPublishedPorts(t).map((d) => d.path)).toEqual(['services.both.ports[0]']);
  });

  it('knows which host addresses overlap', () => {
    expect(hostIpsOverlap('', '127.0.0.1')).toBe(true);
    expect(hostIpsOverlap('0.0.0.0', '127.0.0.1')).toBe(true);
    expect(hostIpsOverlap('0.0.0.0', '::1')).toBe(false);
    expect(hostIpsOverlap('::', '::1')).toBe(true);
    expect(hostIpsOverlap('::', '10.0.0.1')).toBe(false);
    expect(hostIpsOverlap('10.0.0.1', '10.0.0.2')).toBe(false);
  });
});
