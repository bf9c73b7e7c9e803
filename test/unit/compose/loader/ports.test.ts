import { parsePortSpec } from '../../../../src/compose/loader/ports';

const short = (spec: string): string[] =>
  parsePortSpec(spec).map((p) => `${p.hostIp}|${p.published}|${p.target}/${p.protocol}`);

describe('port short syntax', () => {
  it.each([
    ['80', ['||80/tcp']],
    ['8080:80', ['|8080|80/tcp']],
    ['8080:80/udp', ['|8080|80/udp']],
    ['80/UDP', ['||80/udp']],
    ['127.0.0.1:8080:80', ['127.0.0.1|8080|80/tcp']],
    ['127.0.0.1::80', ['127.0.0.1||80/tcp']],
    ['[::1]:8080:80', ['::1|8080|80/tcp']],
    ['[2001:db8::1]:53:53/udp', ['2001:db8::1|53|53/udp']],
    ['8080-8081:80-81', ['|8080|80/tcp', '|8081|81/tcp']],
    ['8000-8010:80', ['|8000-8010|80/tcp']],
    ['3000-3002', ['||3000/tcp', '||3001/tcp', '||3002/tcp']],
    ['98-100:98-100', ['|100|100/tcp', '|98|98/tcp', '|99|99/tcp']],
  ])('%s', (spec, expected) => {
    expect(short(spec)).toEqual(expected);
  });

  it.each([
    ['', /no port specified/],
    ['80:', /no port specified/],
    ['abc', /invalid containerPort: abc/],
    ['70000', /invalid containerPort/],
    ['x:80', /invalid hostPort: x/],
    ['1-3:1-2', /invalid ranges/],
    ['5-3', /invalid containerPort/],
    ['1.2.3:80:80', /invalid IP address: 1.2.3/],
    ['[::1:80:80', /invalid IP address/],
    ['80/icmp', /invalid protocol: icmp/],
  ])('rejects %s', (spec, reason) => {
    expect(() => parsePortSpec(spec)).toThrow(reason);
  });
});
