import { castFor, castValue, interpolateTree, interpolationCasts } from '../../../../src/compose/loader/interpolate';
import { parseYaml } from '../../../../src/compose/loader/parse';
import { locate, originOf, stripOrigins, type TreeMap } from '../../../../src/compose/loader/tree';
import { ValidationError } from '../../../../src/compose/errors';

const yaml = (...lines: string[]): string => lines.join('\n') + '\n';
const lookupOf =
  (vars: Record<string, string>) =>
  (name: string): string | undefined =>
    vars[name];

function run(source: string, vars: Record<string, string> = {}, withSource = true): ReturnType<typeof interpolateTree> {
  const { tree } = parseYaml(source, 'compose.yaml');
  return interpolateTree(tree, 'compose.yaml', lookupOf(vars), withSource ? { source } : {});
}

const out = (source: string, vars: Record<string, string> = {}): TreeMap => stripOrigins(run(source, vars).tree);

function problems(source: string, vars: Record<string, string> = {}, withSource = true): string[] {
  try {
    run(source, vars, withSource);
  } catch (e) {
    if (e instanceof ValidationError) return e.diagnostics.map((d) => `${d.pos?.file}:${d.pos?.line}:${d.pos?.col} ${d.path}: ${d.message}`);
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('interpolateTree', () => {
  it('interpolates values in maps and lists, nested and with defaults', () => {
    const source = yaml(
      'services:',
      '  web:',
      '    image: ${IMAGE:-nginx}:${TAG}',
      '    command: ["echo", "$$HOME", "${GREETING:-${FALLBACK:-hi}}"]',
      '    environment:',
      '      - DB=${DB_HOST}:5432',
      '    labels:',
      '      a: ${MISSING-}',
      'x-extra: $IMAGE',
    );
    expect(out(source, { TAG: '1.25', DB_HOST: 'db', IMAGE: 'httpd' })).toEqual({
      services: {
        web: {
          image: 'httpd:1.25',
          command: ['echo', '$HOME', 'hi'],
          environment: ['DB=db:5432'],
          labels: { a: '' },
        },
      },
      'x-extra': 'httpd',
    });
  });

  it('never touches keys', () => {
    const source = yaml('services:', '  web:', '    labels:', '      "$KEY": "${VALUE}"', '      ${OTHER}: x');
    expect(out(source, { KEY: 'k', VALUE: 'v', OTHER: 'o' })).toEqual({ services: { web: { labels: { $KEY: 'v', '${OTHER}': 'x' } } } });
  });

  it('leaves non-strings and strings without $ as they are', () => {
    const source = yaml('services:', '  web:', '    tty: true', '    scale: 2', '    user: null', '    tags: ["a", 1.5]');
    expect(out(source)).toEqual({ services: { web: { tty: true, scale: 2, user: null, tags: ['a', 1.5] } } });
  });

  it('keeps the origins of maps and lists', () => {
    const source = yaml('services:', '  web:', '    ports:', '      - "${P}:80"', '    image: ${I}');
    const { tree } = run(source, { P: '8080', I: 'nginx' });
    expect(locate(tree, ['services', 'web', 'ports', 0])).toEqual({ file: 'compose.yaml', line: 4, col: 9 });
    expect(locate(tree, ['services', 'web', 'image'], 'key')).toEqual({ file: 'compose.yaml', line: 5, col: 5 });
    expect(originOf((tree.services as TreeMap).web)).toBeDefined();
  });

  it('returns every variable use with its key path and position; unset ones are not errors', () => {
    const source = yaml('services:', '  web:', '    image: "repo/${NAME}:${TAG:-latest}"', '    ports:', '      - ${PORT}:80');
    const { uses } = run(source, { NAME: 'app' });
    expect(uses.map((u) => [u.name, u.operator, u.set, u.usedDefault, u.value, u.path, `${u.pos?.line}:${u.pos?.col}`])).toEqual([
      ['NAME', '', true, false, 'app', 'services.web.image', '3:18'],
      ['TAG', ':-', false, true, 'latest', 'services.web.image', '3:26'],
      ['PORT', '', false, false, '', 'services.web.ports[0]', '5:9'],
    ]);
  });

  it('reports every template error of the file at once, at the offending $', () => {
    const source = yaml(
      'services:',
      '  web:',
      '    image: nginx:${TAG',
      '    environment:',
      "      PASSWORD: '${DB_PASSWORD:?set it in .env}'",
      '    command: |',
      '      run ${1}',
      '  db:',
      '    image: "${DB:?}"',
    );
    expect(problems(source)).toEqual([
      'compose.yaml:3:18 services.web.image: invalid interpolation format "${TAG": missing closing "}" (write "$$" for a literal "$")',
      'compose.yaml:5:18 services.web.environment.PASSWORD: required variable DB_PASSWORD is missing a value: set it in .env',
      'compose.yaml:6:14 services.web.command: invalid interpolation format "${1}": a variable name must start with a letter or "_" and hold only letters, digits and "_" (write "$$" for a literal "$")',
      'compose.yaml:9:13 services.db.image: required variable DB is missing a value',
    ]);
  });

  it('without the source text, points at the scalar itself', () => {
    expect(problems(yaml('services:', '  web:', '    image: nginx:${TAG'), {}, false)).toEqual([
      'compose.yaml:3:12 services.web.image: invalid interpolation format "${TAG": missing closing "}" (write "$$" for a literal "$")',
    ]);
  });

  it('casts interpolated values where the spec wants numbers or booleans', () => {
    const source = yaml(
      'services:',
      '  web:',
      '    tty: ${TTY}',
      '    stdin_open: ${YES}',
      '    privileged: ${OFF}',
      '    cpus: ${CPUS}',
      '    scale: ${N}',
      '    deploy:',
      '      replicas: ${N}',
      '      resources: {limits: {cpus: "${CPUS}"}}',
      '    healthcheck:',
      '      retries: ${N}',
      '    ports:',
      '      - target: ${PORT}',
      '        published: ${PORT}',
      '    ulimits:',
      '      nproc: ${N}',
      '      nofile: {soft: "${N}", hard: "${N}"}',
      '    volumes:',
      '      - {type: volume, source: v, target: /v, read_only: "${TTY}"}',
      'networks:',
      '  n: {external: "${TTY}"}',
      'volumes:',
      '  v: {external: "${OFF}"}',
    );
    expect(out(source, { TTY: 'TRUE', YES: 'yes', OFF: 'off', CPUS: '0.5', N: '3', PORT: '80' })).toEqual({
      services: {
        web: {
          tty: true,
          stdin_open: true,
          privileged: false,
          cpus: 0.5,
          scale: 3,
          deploy: { replicas: 3, resources: { limits: { cpus: 0.5 } } },
          healthcheck: { retries: 3 },
          ports: [{ target: 80, published: '80' }],
          ulimits: { nproc: 3, nofile: { soft: 3, hard: 3 } },
          volumes: [{ type: 'volume', source: 'v', target: '/v', read_only: true }],
        },
      },
      networks: { n: { external: true } },
      volumes: { v: { external: false } },
    });
  });

  it('does not cast literal strings, strings that do not parse, or fields outside the table', () => {
    const source = yaml(
      'services:',
      '  web:',
      '    tty: "true"',
      '    scale: ${N}x',
      '    cpus: ${WORD}',
      '    privileged: ${WORD}',
      '    environment: {PORT: "${N}", DEBUG: "${TTY}"}',
      '    labels: [a=b]',
      '    hostname: ${N}',
      '    mem_limit: ${MEM}',
      '    read_only: $${N}',
    );
    expect(out(source, { N: '3', WORD: 'many', TTY: 'true', MEM: '512m' })).toEqual({
      services: {
        web: {
          tty: 'true',
          scale: '3x',
          cpus: 'many',
          privileged: 'many',
          environment: { PORT: '3', DEBUG: 'true' },
          labels: ['a=b'],
          hostname: '3',
          mem_limit: '512m',
          read_only: '${N}',
        },
      },
    });
  });
});

describe('the cast table', () => {
  it('matches path patterns with * for map keys and list indexes', () => {
    expect(castFor(['services', 'web', 'ports', 0, 'target'])).toBe('int');
    expect(castFor(['services', 'web', 'tty'])).toBe('bool');
    expect(castFor(['networks', 'front', 'external'])).toBe('bool');
    expect(castFor(['services', 'web', 'deploy', 'replicas'])).toBe('int');
    expect(castFor(['services', 'web', 'healthcheck', 'retries'])).toBe('int');
    expect(castFor(['services', 'web', 'ulimits', 'nofile'])).toBe('int');
    expect(castFor(['services', 'web', 'ulimits', 'nofile', 'soft'])).toBe('int');
    expect(castFor(['services', 'web', 'image'])).toBeUndefined();
    expect(castFor(['services', 'web', 'environment', 'tty'])).toBeUndefined();
    expect(castFor(['x-services', 'web', 'tty'])).toBeUndefined();
    expect(castFor(['tty'])).toBeUndefined();
  });

  it('covers the numeric and boolean fields compose-go lets variables set', () => {
    // The fields of compose-go's schema/using-variables.yaml that are numbers or booleans.
    for (const p of [
      'services.*.deploy.replicas',
      'services.*.deploy.rollback_config.parallelism',
      'services.*.deploy.rollback_config.max_failure_ratio',
      'services.*.deploy.update_config.parallelism',
      'services.*.deploy.update_config.max_failure_ratio',
      'services.*.deploy.restart_policy.max_attempts',
      'services.*.deploy.placement.max_replicas_per_node',
      'services.*.deploy.resources.reservations.generic_resources.*.discrete_resource_spec.value',
      'services.*.healthcheck.retries',
      'services.*.privileged',
      'services.*.read_only',
      'services.*.stdin_open',
      'services.*.tty',
      'services.*.ulimits.*',
      'services.*.ulimits.*.soft',
      'services.*.ulimits.*.hard',
      'networks.*.external',
      'volumes.*.external',
      'configs.*.external',
      'secrets.*.external',
    ]) {
      expect([p, interpolationCasts[p]]).toEqual([p, expect.stringMatching(/^(int|float|bool)$/)]);
    }
  });

  it('parses booleans like compose-go and numbers strictly', () => {
    for (const t of ['true', 'True', 'YES', 'on', 'y']) expect(castValue(t, 'bool')).toBe(true);
    for (const f of ['false', 'No', 'OFF', 'n']) expect(castValue(f, 'bool')).toBe(false);
    expect(castValue('maybe', 'bool')).toBe('maybe');
    expect(castValue('-42', 'int')).toBe(-42);
    expect(castValue('4.2', 'int')).toBe('4.2');
    expect(castValue('', 'int')).toBe('');
    expect(castValue('1.5e3', 'float')).toBe(1500);
    expect(castValue('.5', 'float')).toBe(0.5);
    expect(castValue('1,5', 'float')).toBe('1,5');
  });
});
