import { containerHostname, hostnameFile, hostsFile, parseExtraHost, resolvConf } from '../../../../../../src/engine/bundled/containers/oci/etc-files';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

const DEFAULTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

describe('hostsFile', () => {
  it('has the loopback and IPv6 defaults, and nothing else without addresses', () => {
    expect(hostsFile({ hostname: 'abc' })).toBe(DEFAULTS);
  });

  it('adds extra_hosts, then the container itself (with its domain), then peers', () => {
    const text = hostsFile({
      hostname: 'web',
      domainname: 'example.org',
      addresses: ['172.20.0.5'],
      extraHosts: ['db:10.0.0.2', 'v6host:::1', 'eq=192.168.1.1', 'br=[fe80::1]', 'gw:host-gateway'],
      hostGateway: '172.20.0.1',
      peers: [{ address: '172.20.0.6', names: ['cache', 'proj-cache-1'] }],
    });
    expect(text).toBe(`${DEFAULTS}10.0.0.2\tdb\n::1\tv6host\n192.168.1.1\teq\nfe80::1\tbr\n172.20.0.1\tgw\n172.20.0.5\tweb.example.org web\n172.20.0.6\tcache proj-cache-1\n`);
  });

  it('rejects bad extra_hosts entries', () => {
    expect(() => parseExtraHost('nocolon')).toThrow(InvalidArgumentError);
    expect(() => parseExtraHost('db:not-an-ip')).toThrow('"not-an-ip" is not an IP address');
    expect(() => parseExtraHost('gw:host-gateway')).toThrow('host-gateway is not available');
    expect(() => parseExtraHost(':1.2.3.4')).toThrow('expected host:ip');
  });
});

describe('hostname', () => {
  it("defaults to the ID's first 12 characters", () => {
    expect(containerHostname('0123456789abcdef0123', {})).toBe('0123456789ab');
    expect(containerHostname('0123456789abcdef0123', { hostname: 'web' })).toBe('web');
    expect(hostnameFile('web')).toBe('web\n');
  });
});

describe('resolvConf', () => {
  const host = '# generated\nnameserver 127.0.0.53\nnameserver 10.1.2.3\nsearch corp.example\noptions edns0 trust-ad\n';

  it("keeps the host's file without loopback nameservers", () => {
    expect(resolvConf({ hostResolvConf: host })).toBe('# generated\nnameserver 10.1.2.3\nsearch corp.example\noptions edns0 trust-ad\n');
  });

  it("falls back to Docker's public servers when only loopback ones are left", () => {
    expect(resolvConf({ hostResolvConf: 'nameserver 127.0.0.53\nnameserver ::1\nsearch x\n' })).toBe('search x\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
    expect(resolvConf({ hostResolvConf: '' })).toBe('nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  });

  it('keeps loopback servers for the host network', () => {
    expect(resolvConf({ hostResolvConf: host, keepLoopback: true })).toBe(host);
  });

  it('replaces servers, search domains and options that are given', () => {
    expect(resolvConf({ hostResolvConf: host, dns: ['1.1.1.1', '2606:4700::1111'] })).toBe('search corp.example\nnameserver 1.1.1.1\nnameserver 2606:4700::1111\noptions edns0 trust-ad\n');
    expect(resolvConf({ hostResolvConf: host, dnsSearch: ['a.test', 'b.test'], dnsOptions: ['ndots:2'] })).toBe('search a.test b.test\nnameserver 10.1.2.3\noptions ndots:2\n');
    expect(resolvConf({ hostResolvConf: host, dnsSearch: ['.'] })).toBe('nameserver 10.1.2.3\noptions edns0 trust-ad\n');
    expect(() => resolvConf({ hostResolvConf: host, dns: ['dns.example'] })).toThrow('invalid dns server "dns.example"');
  });
});
