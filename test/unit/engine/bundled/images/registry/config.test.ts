import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRegistryConfig, registryConfigFrom } from '../../../../../../src/engine/bundled/images/registry/config';
import { InvalidArgumentError } from '../../../../../../src/engine/errors';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-root-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('loadRegistryConfig', () => {
  test('no engine.json: nothing configured', () => {
    expect(loadRegistryConfig(root, {})).toEqual({ mirrors: [], insecure: [], mirrorOnly: false });
  });

  test('engine.json: mirrors (normalized), insecure registries, mirrorOnly', () => {
    fs.writeFileSync(
      path.join(root, 'engine.json'),
      JSON.stringify({
        registryMirrors: ['https://mirror.example.com/', 'http://127.0.0.1:5000'],
        insecureRegistries: ['MyReg:5000', '10.0.0.0/8'],
        mirrorOnly: true,
        somethingElse: 1,
      }),
    );
    expect(loadRegistryConfig(root, {})).toEqual({
      mirrors: ['https://mirror.example.com', 'http://127.0.0.1:5000'],
      insecure: ['myreg:5000', '10.0.0.0/8'],
      mirrorOnly: true,
    });
  });

  test('TSCOMPOSE_REGISTRY_MIRROR replaces the mirrors; TSCOMPOSE_REGISTRY_MIRROR_ONLY=1 turns mirror-only on', () => {
    fs.writeFileSync(path.join(root, 'engine.json'), JSON.stringify({ registryMirrors: ['https://m.example'] }));
    expect(loadRegistryConfig(root, { TSCOMPOSE_REGISTRY_MIRROR: 'http://127.0.0.1:5000', TSCOMPOSE_REGISTRY_MIRROR_ONLY: '1' })).toEqual({
      mirrors: ['http://127.0.0.1:5000'],
      insecure: [],
      mirrorOnly: true,
    });
    expect(loadRegistryConfig(root, { TSCOMPOSE_REGISTRY_MIRROR_ONLY: '0' }).mirrorOnly).toBe(false);
  });

  test.each([
    ['{ nope', /engine\.json: not valid JSON/],
    ['[]', /must hold a JSON object/],
    ['{"registryMirrors": "https://m"}', /registryMirrors must be a list of strings/],
    ['{"registryMirrors": ["mirror.example.com"]}', /is not a URL \(write the scheme/],
    ['{"registryMirrors": ["ftp://m.example"]}', /must use http:\/\/ or https:\/\//],
    ['{"registryMirrors": ["https://m.example/v2/"]}', /no path, query or credentials/],
    ['{"insecureRegistries": ["http://r:5000"]}', /without a scheme/],
    ['{"insecureRegistries": ["10.0.0.0/33"]}', /not a valid IPv4 CIDR/],
    ['{"mirrorOnly": "yes"}', /mirrorOnly must be true or false/],
  ])('rejects %s', (text, reason) => {
    fs.writeFileSync(path.join(root, 'engine.json'), text);
    expect(() => loadRegistryConfig(root, {})).toThrow(InvalidArgumentError);
    expect(() => loadRegistryConfig(root, {})).toThrow(reason);
  });

  test('bad environment values are rejected naming the variable', () => {
    expect(() => registryConfigFrom({}, 'x', { TSCOMPOSE_REGISTRY_MIRROR: '127.0.0.1:5000' })).toThrow(/^TSCOMPOSE_REGISTRY_MIRROR: /);
    expect(() => registryConfigFrom({}, 'x', { TSCOMPOSE_REGISTRY_MIRROR_ONLY: 'maybe' })).toThrow(/TSCOMPOSE_REGISTRY_MIRROR_ONLY must be 1 or 0/);
  });
});
