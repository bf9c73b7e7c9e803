/**
 * The contents of a container's /etc/hosts, /etc/hostname and /etc/resolv.conf, which the
 * engine writes per container and bind-mounts in (Docker's layout and rules).
 */
import { isIP } from 'node:net';
import type { ContainerSpec } from '../../../containers';
import { InvalidArgumentError } from '../../../errors';

/** Docker's default hostname: the first 12 characters of the container ID. */
export function containerHostname(id: string, spec: Pick<ContainerSpec, 'hostname'>): string {
  return spec.hostname !== undefined && spec.hostname !== '' ? spec.hostname : id.slice(0, 12);
}

export function hostnameFile(hostname: string): string {
  return `${hostname}\n`;
}

export interface HostsPeer {
  readonly address: string;
  readonly names: readonly string[];
}

export interface HostsFileOptions {
  readonly hostname: string;
  readonly domainname?: string;
  /** The container's own addresses; each gets a line with its hostname. None: no such line (network none). */
  readonly addresses?: readonly string[];
  /** `name:ip` or `name=ip` (extra_hosts); ip may be `host-gateway`. */
  readonly extraHosts?: readonly string[];
  /** The address `host-gateway` stands for; without it, `host-gateway` is an error. */
  readonly hostGateway?: string;
  /** Other containers reachable by name (network peers), after the container's own lines. */
  readonly peers?: readonly HostsPeer[];
}

const HOSTS_DEFAULTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** `name:ip` / `name=ip` → [name, ip]; an IPv6 address may be in brackets. */
export function parseExtraHost(entry: string, hostGateway?: string): { readonly name: string; readonly address: string } {
  const eq = entry.indexOf('=');
  const sep = eq !== -1 ? eq : entry.indexOf(':');
  if (sep <= 0) throw new InvalidArgumentError(`invalid extra_hosts entry "${entry}": expected host:ip or host=ip`);
  const name = entry.slice(0, sep).trim();
  let address = entry.slice(sep + 1).trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (address === 'host-gateway') {
    if (hostGateway === undefined) throw new InvalidArgumentError(`extra_hosts entry "${entry}": host-gateway is not available here`);
    address = hostGateway;
  }
  if (name === '' || /\s/.test(name)) throw new InvalidArgumentError(`invalid extra_hosts entry "${entry}": bad host name`);
  if (isIP(address) === 0) throw new InvalidArgumentError(`invalid extra_hosts entry "${entry}": "${address}" is not an IP address`);
  return { name, address };
}

/** /etc/hosts: the loopback and IPv6 defaults, extra_hosts, the container's own addresses, then peers. */
export function hostsFile(o: HostsFileOptions): string {
  const out = [...HOSTS_DEFAULTS];
  for (const e of o.extraHosts ?? []) {
    const { name, address } = parseExtraHost(e, o.hostGateway);
    out.push(`${address}\t${name}`);
  }
  const names = o.domainname !== undefined && o.domainname !== '' ? `${o.hostname}.${o.domainname} ${o.hostname}` : o.hostname;
  for (const address of o.addresses ?? []) out.push(`${address}\t${names}`);
  for (const p of o.peers ?? []) if (p.names.length > 0) out.push(`${p.address}\t${p.names.join(' ')}`);
  return `${out.join('\n')}\n`;
}

export interface ResolvConfOptions {
  /** The host's /etc/resolv.conf (its text). */
  readonly hostResolvConf: string;
  readonly dns?: readonly string[];
  readonly dnsSearch?: readonly string[];
  readonly dnsOptions?: readonly string[];
  /** Keep loopback nameservers (the host's network namespace, where they work). Default false. */
  readonly keepLoopback?: boolean;
}

/** Docker's fallback when the host has only loopback nameservers, which a container cannot reach. */
export const FALLBACK_NAMESERVERS: readonly string[] = ['8.8.8.8', '8.8.4.4'];

function isLoopback(address: string): boolean {
  const bare = address.replace(/%.*$/, '');
  return /^127\./.test(bare) || bare === '::1' || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(bare);
}

function words(line: string): string[] {
  return line.trim().split(/\s+/).slice(1);
}

/**
 * /etc/resolv.conf from the host's: without dns settings, the host's file without loopback
 * nameservers (Docker's fallback servers when none is left); with `dns`, `dns_search` or
 * `dns_opt`, those replace the host's nameservers, search domains or options (a search list of
 * just "." means none).
 */
export function resolvConf(o: ResolvConfOptions): string {
  const lines = o.hostResolvConf.split('\n');
  const hostServers = lines.filter((l) => /^\s*nameserver\s/.test(l)).map((l) => words(l)[0] ?? '').filter((s) => s !== '');
  const usable = o.keepLoopback === true ? hostServers : hostServers.filter((s) => !isLoopback(s));
  const servers = o.dns !== undefined && o.dns.length > 0 ? [...o.dns] : usable.length > 0 ? usable : [...FALLBACK_NAMESERVERS];
  for (const s of servers) if (isIP(s) === 0) throw new InvalidArgumentError(`invalid dns server "${s}": not an IP address`);
  const overridden = (o.dns !== undefined && o.dns.length > 0) || o.dnsSearch !== undefined || o.dnsOptions !== undefined;
  if (!overridden) {
    const kept = lines.filter((l) => !/^\s*nameserver\s/.test(l) || servers.includes(words(l)[0] ?? ''));
    while (kept.length > 0 && kept[kept.length - 1]?.trim() === '') kept.pop();
    if (usable.length === 0) kept.push(...servers.map((s) => `nameserver ${s}`));
    return `${kept.join('\n')}\n`;
  }
  const lastOf = (keyword: string): string[] | undefined => {
    const found = lines.filter((l) => new RegExp(`^\\s*${keyword}\\s`).test(l));
    const last = found[found.length - 1];
    return last === undefined ? undefined : words(last);
  };
  const search = o.dnsSearch !== undefined ? (o.dnsSearch.length === 1 && o.dnsSearch[0] === '.' ? [] : [...o.dnsSearch]) : lastOf('search') ?? lastOf('domain') ?? [];
  const options = o.dnsOptions !== undefined ? [...o.dnsOptions] : lastOf('options') ?? [];
  const out = [...(search.length > 0 ? [`search ${search.join(' ')}`] : []), ...servers.map((s) => `nameserver ${s}`), ...(options.length > 0 ? [`options ${options.join(' ')}`] : [])];
  return `${out.join('\n')}\n`;
}
