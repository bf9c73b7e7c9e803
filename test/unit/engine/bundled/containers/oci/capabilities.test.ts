import {
  ALL_CAPABILITIES,
  capabilitiesOfMask,
  capabilityMask,
  containerCapabilities,
  DEFAULT_CAPABILITIES,
  normalizeCapability,
} from '../../../../../../src/engine/bundled/containers/oci/capabilities';
import { hostCapabilities, parseCapBnd } from '../../../../../../src/engine/bundled/containers/oci/host-capabilities';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

describe('capabilities', () => {
  it('lists Linux capabilities in bit order', () => {
    expect(ALL_CAPABILITIES).toHaveLength(41);
    expect(ALL_CAPABILITIES.indexOf('CAP_SYS_ADMIN')).toBe(21);
    expect(ALL_CAPABILITIES.indexOf('CAP_SETFCAP')).toBe(31);
    expect(ALL_CAPABILITIES.indexOf('CAP_CHECKPOINT_RESTORE')).toBe(40);
  });

  it("gives Docker's default set, whose mask is the CapEff docker containers show", () => {
    const caps = containerCapabilities({});
    expect(new Set(caps)).toEqual(new Set(DEFAULT_CAPABILITIES));
    expect(capabilityMask(caps).toString(16)).toBe('a80425fb');
  });

  it('normalizes names with or without CAP_, in any case, and rejects unknown ones', () => {
    expect(normalizeCapability('net_admin')).toBe('CAP_NET_ADMIN');
    expect(normalizeCapability('CAP_SYS_PTRACE')).toBe('CAP_SYS_PTRACE');
    expect(normalizeCapability('all')).toBe('ALL');
    expect(() => normalizeCapability('CAP_FLY')).toThrow(InvalidArgumentError);
    expect(() => normalizeCapability('CAP_FLY')).toThrow('unknown capability: "CAP_FLY"');
  });

  it('adds and drops on top of the defaults; an add wins over a drop of the same one', () => {
    const caps = containerCapabilities({ capAdd: ['NET_ADMIN', 'sys_ptrace'], capDrop: ['CAP_NET_RAW', 'MKNOD', 'NET_ADMIN'] });
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).toContain('CAP_SYS_PTRACE');
    expect(caps).not.toContain('CAP_NET_RAW');
    expect(caps).not.toContain('CAP_MKNOD');
    expect(caps).toContain('CAP_CHOWN');
  });

  it('cap_add ALL is everything minus cap_drop; cap_drop ALL keeps only cap_add', () => {
    const all = containerCapabilities({ capAdd: ['ALL'], capDrop: ['SYS_ADMIN'] });
    expect(all).toHaveLength(40);
    expect(all).not.toContain('CAP_SYS_ADMIN');
    expect(containerCapabilities({ capDrop: ['all'], capAdd: ['chown', 'kill'] })).toEqual(['CAP_CHOWN', 'CAP_KILL']);
    expect(containerCapabilities({ capDrop: ['ALL'] })).toEqual([]);
  });

  it('privileged means every available capability, whatever cap_drop says', () => {
    expect(containerCapabilities({ privileged: true, capDrop: ['ALL'] })).toEqual(ALL_CAPABILITIES);
    const available = ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');
    expect(containerCapabilities({ privileged: true, available })).toEqual(available);
    expect(containerCapabilities({ capAdd: ['ALL'], available })).not.toContain('CAP_SYS_RESOURCE');
  });

  it('converts masks both ways and reads the host bounding set', () => {
    expect(capabilitiesOfMask(0xa80425fbn)).toEqual(ALL_CAPABILITIES.filter((c) => DEFAULT_CAPABILITIES.includes(c)));
    expect(parseCapBnd('Name:\tx\nCapBnd:\t000001fffeffffff\nCapAmb:\t0\n')).toBe(0x1fffeffffffn);
    expect(capabilitiesOfMask(0x1fffeffffffn)).not.toContain('CAP_SYS_RESOURCE');
    expect(() => parseCapBnd('Name: x\n')).toThrow('CapBnd');
    const host = hostCapabilities();
    expect(host.length).toBeGreaterThan(0);
    expect(host.every((c) => ALL_CAPABILITIES.includes(c))).toBe(true);
  });
});
