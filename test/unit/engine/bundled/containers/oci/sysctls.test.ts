import { containerSysctls } from '../../../../../../src/engine/bundled/containers/oci/sysctls';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

describe('containerSysctls', () => {
  it("adds Docker's network defaults for a network namespace of its own", () => {
    expect(containerSysctls(undefined, 'own')).toEqual({ 'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647' });
    expect(containerSysctls({ 'net.ipv4.ip_unprivileged_port_start': '1024' }, 'own')['net.ipv4.ip_unprivileged_port_start']).toBe('1024');
    expect(containerSysctls(undefined, 'host')).toEqual({});
    expect(containerSysctls(undefined, 'shared')).toEqual({});
  });

  it('allows only namespaced sysctls', () => {
    expect(containerSysctls({ 'net/core/somaxconn': '1024', 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '20', 'kernel.sem': '250 32000 32 128' }, 'own')).toMatchObject({
      'net.core.somaxconn': '1024',
      'kernel.shmmax': '1',
      'fs.mqueue.msg_max': '20',
      'kernel.sem': '250 32000 32 128',
    });
    expect(() => containerSysctls({ 'kernel.pid_max': '10' }, 'own')).toThrow(InvalidArgumentError);
    expect(() => containerSysctls({ 'kernel.pid_max': '10' }, 'own')).toThrow('sysctl "kernel.pid_max" is not allowed: it is not namespaced');
    expect(() => containerSysctls({ 'vm.overcommit_memory': '1' }, 'own')).toThrow('not namespaced');
    expect(() => containerSysctls({ 'fs.file-max': '1' }, 'own')).toThrow('not namespaced');
    expect(() => containerSysctls({ 'net.core.somaxconn': '1' }, 'host')).toThrow("the host's network namespace");
    expect(() => containerSysctls({ 'net.core.somaxconn': '1' }, 'shared')).toThrow("another container's network namespace");
    expect(containerSysctls({ 'kernel.msgmax': '1' }, 'host')).toEqual({ 'kernel.msgmax': '1' });
  });
});
