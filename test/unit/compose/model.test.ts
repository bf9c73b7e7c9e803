import { NotFoundError } from '../../../src/compose/errors';
import { normalize } from '../../../src/compose/loader/normalize';
import { parseYaml } from '../../../src/compose/loader/parse';
import { projectFromTree, type Project } from '../../../src/compose/model';

function load(source: string, disabled?: string): Project {
  const opts = { projectName: 'demo', projectDir: '/p', resolvePaths: true, readFile: () => undefined, lookupEnv: () => undefined, warn: () => {} };
  const tree = normalize(parseYaml(source, '/p/compose.yaml').tree, opts);
  const disabledServices = disabled ? (normalize(parseYaml(disabled, '/p/compose.yaml').tree, opts).services as never) : undefined;
  return projectFromTree(tree, { name: 'demo', workingDir: '/p', configFiles: ['/p/compose.yaml'], environment: { A: '1' }, disabledServices });
}

const source = `services:
  web:
    image: nginx
    ports: ["8080:80"]
    volumes: ["./html:/usr/share/nginx/html:ro"]
    depends_on: [api]
    healthcheck: {test: curl -f localhost, interval: 90s}
    x-team: front
  api:
    image: api
    depends_on: {db: {condition: service_healthy}}
    profiles: [backend]
  db:
    image: postgres
    environment: [POSTGRES_PASSWORD=secret]
    profiles: [backend]
  tools:
    image: busybox
    profiles: [debug]
volumes:
  data:
x-global: 1
`;

describe('model', () => {
  it('is a typed view of the normalized tree', () => {
    const p = load(source);
    expect(p.name).toBe('demo');
    expect(p.serviceNames()).toEqual(['api', 'db', 'tools', 'web']);
    const web = p.getService('web');
    expect(web.name).toBe('web');
    expect(web.ports).toEqual([{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }]);
    expect(web.volumes?.[0]).toEqual({ type: 'bind', source: '/p/html', target: '/usr/share/nginx/html', read_only: true, bind: { create_host_path: true } });
    expect(web.healthcheck).toEqual({ test: ['CMD-SHELL', 'curl -f localhost'], interval: '1m30s' });
    expect(web.depends_on).toEqual({ api: { condition: 'service_started', required: true } });
    expect(web['x-team']).toBe('front');
    expect(p.getService('db').environment).toEqual({ POSTGRES_PASSWORD: 'secret' });
    expect(p.volumes.data).toEqual({ name: 'demo_data' });
    expect(p.networks.default).toEqual({ name: 'demo_default' });
    expect(p.extensions).toEqual({ 'x-global': 1 });
    expect(p.environment).toEqual({ A: '1' });
  });

  it('is frozen all the way down', () => {
    const p = load(source);
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.services)).toBe(true);
    expect(Object.isFrozen(p.getService('web').ports?.[0])).toBe(true);
    expect(() => {
      (p.getService('web') as { image?: string }).image = 'x';
    }).toThrow(TypeError);
  });

  it('withProfiles returns a new project with the services of those profiles', () => {
    const p = load(source);
    const base = p.withProfiles([]);
    expect(base.serviceNames()).toEqual(['web']);
    expect(Object.keys(base.disabledServices).sort()).toEqual(['api', 'db', 'tools']);
    expect(base.withProfiles(['backend']).serviceNames()).toEqual(['api', 'db', 'web']);
    expect(base.withProfiles(['*']).serviceNames()).toEqual(['api', 'db', 'tools', 'web']);
    expect(p.serviceNames()).toEqual(['api', 'db', 'tools', 'web']);
    expect(() => base.getService('api')).toThrow(/no such service: api \(it is disabled/);
  });

  it('withProfiles can bring back services the profiles stage left out', () => {
    const p = load('services:\n  web: {image: nginx}\n', 'services:\n  dbg: {image: busybox, profiles: [debug]}\n');
    expect(p.serviceNames()).toEqual(['web']);
    expect(p.withProfiles(['debug']).serviceNames()).toEqual(['dbg', 'web']);
  });

  it('withServices keeps the named services and what they depend on', () => {
    const p = load(source);
    expect(p.withServices(['web']).serviceNames()).toEqual(['api', 'db', 'web']);
    expect(p.withServices(['web'], { dependencies: false }).serviceNames()).toEqual(['web']);
    expect(p.withServices(['tools']).serviceNames()).toEqual(['tools']);
    expect(() => p.withServices(['nope', 'web'])).toThrow(NotFoundError);
    expect(() => p.withServices(['nope'])).toThrow(/no such service: nope/);
  });
});
