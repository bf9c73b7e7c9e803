/**
 * The short syntax of `ports` (`[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`)
 * parsed the way Docker does it: ranges expand to one mapping per port
 * (`8080-8081:80-81`), a host range with a single container port stays a
 * range to allocate from (`8000-8010:80`), IPv6 host addresses may be
 * bracketed (`[::1]:80:80`), and the protocol is lower-cased.
 */
import { isIP } from 'node:net';

export interface PortMapping {
  readonly target: number;
  /** Empty when no host port is given (a random one is chosen at run time). */
  readonly published: string;
  readonly hostIp: string;
  readonly protocol: string;
}

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/** Throws an Error whose message says what is wrong with `spec`. */
export function parsePortSpec(spec: string): PortMapping[] {
  const [rawIp, hostPort, containerPart] = splitParts(spec);
  const [proto, containerPort] = splitProto(containerPart);
  let ip = rawIp;
  if (ip.startsWith('[')) {
    if (!ip.endsWith(']')) throw new Error(`invalid IP address ${ip}`);
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && isIP(ip) === 0) throw new Error(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new Error(`no port specified: ${spec}<empty>`);
  const container = parseRange(containerPort);
  if (!container) throw new Error(`invalid containerPort: ${containerPort}`);
  let host: [number, number] | undefined;
  if (hostPort !== '') {
    host = parseRange(hostPort);
    if (!host) throw new Error(`invalid hostPort: ${hostPort}`);
    const sameSize = container[1] - container[0] === host[1] - host[0];
    if (!sameSize && container[0] !== container[1]) {
      throw new Error(`invalid ranges specified for container and host ports: ${containerPort} and ${hostPort}`);
    }
  }
  const protocol = proto.toLowerCase();
  if (!PROTOCOLS.has(protocol)) throw new Error(`invalid protocol: ${proto} (use tcp, udp or sctp)`);

  const out: PortMapping[] = [];
  for (let i = 0; i <= container[1] - container[0]; i++) {
    let published = '';
    if (host) {
      published = String(host[0] + i);
      if (container[0] === container[1] && host[0] !== host[1]) published = `${published}-${host[1]}`;
    }
    out.push({ target: container[0] + i, published, hostIp: ip, protocol });
  }
  // Docker keys mappings by "<port>/<proto>" and compose-go sorts those keys as strings.
  if (out.length === 1) return out;
  return out
    .map((m, i) => ({ m, i, key: `${m.target}/${m.protocol}` }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i))
    .map((x) => x.m);
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1];
  switch (n) {
    case 1:
      return ['', '', container];
    case 2:
      return ['', parts[0], container];
    case 3:
      return [parts[0], parts[1], container];
    default:
      return [parts.slice(0, n - 2).join(':'), parts[n - 2], container];
  }
}

function splitProto(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1 || parts[1] === '') return ['tcp', parts[0]];
  return [parts[1], parts[0]];
}

function parseRange(s: string): [number, number] | undefined {
  const port = (p: string): number | undefined => {
    if (!/^\d+$/.test(p)) return undefined;
    const n = Number(p);
    return n <= 65535 ? n : undefined;
  };
  const dash = s.indexOf('-');
  if (dash < 0) {
    const p = port(s);
    return p === undefined ? undefined : [p, p];
  }
  const start = port(s.slice(0, dash));
  const end = port(s.slice(dash + 1));
  if (start === undefined || end === undefined || end < start) return undefined;
  return [start, end];
}
