import { ociSpecJson } from '../../../../../../src/engine/bundled/containers/oci/oci-spec-json';
import type { OciSpec } from '../../../../../../src/engine/bundled/containers/oci/oci-spec-types';
import { RLIM_INFINITY } from '../../../../../../src/engine/bundled/containers/oci/rlimits';

describe('ociSpecJson', () => {
  it('writes RLIM_INFINITY as 2^64-1, which JSON.stringify cannot, and leaves strings alone', () => {
    const spec = {
      ociVersion: '1.0.2',
      process: { user: { uid: 0, gid: 0 }, args: ['sh'], env: ['X=18446744073709552000'], cwd: '/', rlimits: [{ type: 'RLIMIT_CORE', soft: RLIM_INFINITY, hard: 4 }] },
      root: { path: '/r' },
      mounts: [],
      linux: { namespaces: [] },
    } satisfies OciSpec;
    expect(JSON.stringify(spec)).toContain('18446744073709552000');
    const text = ociSpecJson(spec);
    expect(text).toContain('"soft": 18446744073709551615');
    expect(text).toContain('"X=18446744073709552000"');
    expect(text).not.toMatch(/[^"=]18446744073709552000/);
    expect(text.endsWith('}\n')).toBe(true);
  });
});
