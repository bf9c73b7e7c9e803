import { parseSecurityOptions } from '../../../../../../src/engine/bundled/containers/oci/security-options';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

describe('parseSecurityOptions', () => {
  it('defaults to the default seccomp profile and privileges as usual', () => {
    expect(parseSecurityOptions(undefined)).toEqual({ noNewPrivileges: false, seccomp: { kind: 'default' }, unmaskedSystemPaths: false });
  });

  it('reads no-new-privileges in every spelling', () => {
    for (const o of ['no-new-privileges', 'no-new-privileges:true', 'no-new-privileges=true', 'no-new-privileges=1']) expect(parseSecurityOptions([o]).noNewPrivileges).toBe(true);
    expect(parseSecurityOptions(['no-new-privileges:false']).noNewPrivileges).toBe(false);
    expect(() => parseSecurityOptions(['no-new-privileges=maybe'])).toThrow('expected true or false');
  });

  it('reads seccomp=unconfined, an inline profile and a profile path', () => {
    expect(parseSecurityOptions(['seccomp=unconfined']).seccomp).toEqual({ kind: 'unconfined' });
    expect(parseSecurityOptions(['seccomp:unconfined']).seccomp).toEqual({ kind: 'unconfined' });
    expect(parseSecurityOptions(['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}']).seccomp).toEqual({ kind: 'profile', json: '{"defaultAction":"SCMP_ACT_ALLOW"}' });
    expect(parseSecurityOptions(['seccomp=/etc/profile.json']).seccomp).toEqual({ kind: 'file', path: '/etc/profile.json' });
    expect(() => parseSecurityOptions(['seccomp=profile.json'])).toThrow('must be JSON or an absolute path');
    expect(() => parseSecurityOptions(['seccomp'])).toThrow('seccomp needs');
  });

  it('accepts systempaths=unconfined, ignores apparmor and label, rejects the unknown', () => {
    expect(parseSecurityOptions(['systempaths=unconfined', 'apparmor=unconfined', 'label=disable', 'label:type:svirt_t']).unmaskedSystemPaths).toBe(true);
    expect(() => parseSecurityOptions(['systempaths=strict'])).toThrow(InvalidArgumentError);
    expect(() => parseSecurityOptions(['seccom=unconfined'])).toThrow('invalid security_opt "seccom=unconfined": unknown option "seccom"');
  });
});
