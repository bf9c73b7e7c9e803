import { formatDiagnostic, type Diagnostic } from '../../../../src/compose/errors';
import { parseYaml } from '../../../../src/compose/loader/parse';
import { schemaInput, validateSchema } from '../../../../src/compose/loader/schema';

function check(lines: readonly string[]): Diagnostic[] {
  return validateSchema(parseYaml(lines.join('\n') + '\n', 'compose.yaml').tree);
}

/** `line:col path  message`, the parts a person reads. */
function shown(lines: readonly string[]): string[] {
  return check(lines).map((d) => `${d.pos?.line}:${d.pos?.col} ${d.path}  ${d.message}`);
}

describe('schema stage', () => {
  describe('valid files', () => {
    it('gives no diagnostics for a typical file (the spec\'s illustrative example)', () => {
      expect(
        check([
          'services:',
          '  frontend:',
          '    image: example/webapp',
          '    ports:',
          '      - "443:8043"',
          '    networks: [front-tier, back-tier]',
          '    configs: [httpd-config]',
          '    secrets: [server-certificate]',
          '  backend:',
          '    image: example/database',
          '    volumes:',
          '      - db-data:/etc/data',
          '    networks: [back-tier]',
          'volumes:',
          '  db-data:',
          '    driver: flocker',
          '    driver_opts:',
          '      size: "10GiB"',
          'configs:',
          '  httpd-config:',
          '    external: true',
          'secrets:',
          '  server-certificate:',
          '    external: true',
          'networks:',
          '  front-tier: {}',
          '  back-tier: {}',
        ]),
      ).toEqual([]);
    });

    it('accepts long syntaxes: ports, volumes, depends_on, networks, build, deploy, develop, healthcheck', () => {
      expect(
        check([
          'services:',
          '  web:',
          '    build:',
          '      context: .',
          '      args: [GIT_COMMIT=cdc3b19]',
          '      secrets: [{source: cert, target: cert, mode: 0440}]',
          '    ports:',
          '      - {name: web, target: 80, host_ip: 127.0.0.1, published: "8080", protocol: tcp, app_protocol: http, mode: host}',
          '      - 3000',
          '    volumes:',
          '      - {type: volume, source: data, target: /data, volume: {nocopy: true, subpath: sub}}',
          '      - {type: tmpfs, target: /tmp, tmpfs: {size: 1000, mode: 1777}}',
          '    depends_on:',
          '      db: {condition: service_healthy, restart: true, required: false}',
          '    networks:',
          '      front: {aliases: [www], ipv4_address: 172.16.238.10, gw_priority: 1}',
          '      back:',
          '    deploy:',
          '      replicas: 2',
          '      resources: {limits: {cpus: "0.5", memory: 50M, pids: 1}, reservations: {devices: [{capabilities: [gpu], count: 1}]}}',
          '      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 120s}',
          '    develop:',
          '      watch:',
          '        - {path: ./src, action: sync, target: /app, ignore: [node_modules/]}',
          '    healthcheck: {test: [CMD, curl, -f, http://localhost], interval: 1m30s, retries: 3, start_period: 40s}',
          '    pull_policy: every_12h',
          '    pre_start:',
          '      - command: [./manage.py, migrate]',
          '      - {image: busybox, command: "chown -R 1000 /data", per_replica: true}',
          '  db:',
          '    image: postgres',
        ]),
      ).toEqual([]);
    });

    it('accepts x- extensions at the top level, in a service, deep inside deploy and in a network', () => {
      expect(
        check([
          'x-custom:',
          '  foo: [bar, zot]',
          'services:',
          '  webapp:',
          '    image: example/webapp',
          '    x-foo: bar',
          '    deploy:',
          '      placement:',
          '        x-aws-role: "arn:aws:iam::XXXXXXXXXXXX:role/foo"',
          '        x-aws-region: "eu-west-3"',
          'networks:',
          '  front:',
          '    x-note: 1',
        ]),
      ).toEqual([]);
    });

    it('accepts ${VAR} strings where numbers and booleans go (validation without interpolation)', () => {
      expect(
        check([
          'services:',
          '  web:',
          '    image: ${IMAGE}',
          '    privileged: ${PRIVILEGED}',
          '    cgroup: ${CGROUP}',
          '    deploy: {replicas: "${REPLICAS}", update_config: {parallelism: "${P}", order: "${ORDER}"}}',
          '    ulimits: {nofile: {soft: "${SOFT}", hard: "${HARD}"}}',
        ]),
      ).toEqual([]);
    });

    it('ignores entries tagged !reset (they only remove a value when merging) but not !override ones', () => {
      expect(check(['services:', '  web:', '    image: nginx', '    ports: !reset []', '    command: !reset null'])).toEqual([]);
      expect(shown(['services:', '  web:', '    ports: !override', '      - true'])).toEqual([
        '4:9 services.web.ports[0]  must be a number, a string or a port mapping (got a boolean)',
      ]);
      const tree = parseYaml('services: {web: {image: nginx, ports: !reset []}}\n', 'c.yaml').tree;
      expect(schemaInput(tree)).toEqual({ services: { web: { image: 'nginx' } } });
    });

    it('is told when a file has no tags at all: the same answers, without looking for !reset entries', () => {
      const lines = ['services:', '  web:', '    image: nginx', '    ports: [true]', '    unknown_key: 1'];
      const tree = parseYaml(lines.join('\n') + '\n', 'compose.yaml').tree;
      expect(validateSchema(tree, { mayHaveTags: false })).toEqual(validateSchema(tree));
      expect(validateSchema(tree, { mayHaveTags: false }).length).toBeGreaterThan(0);
      // Told wrong, it validates what it is given (the !reset entry then counts).
      const tagged = parseYaml('services: {web: {image: nginx, ports: !reset null}}\n', 'c.yaml').tree;
      expect(validateSchema(tagged)).toEqual([]);
      expect(validateSchema(tagged, { mayHaveTags: false })).not.toEqual([]);
    });
  });

  describe('unknown keys', () => {
    it('points at the key and suggests the closest allowed name', () => {
      const [d, ...rest] = check(['services:', '  web:', '    imagee: nginx']);
      expect(rest).toEqual([]);
      expect(d).toEqual({ pos: { file: 'compose.yaml', line: 3, col: 5 }, path: 'services.web.imagee', message: 'unknown key "imagee" — did you mean "image"?', file: 'compose.yaml' });
      expect(formatDiagnostic(d)).toBe('compose.yaml:3:5  services.web.imagee  unknown key "imagee" — did you mean "image"?');
    });

    it('suggests across case, dashes and transposed letters, at any depth', () => {
      expect(
        shown([
          'servics:',
          '  web: {}',
          'services:',
          '  web:',
          '    depends-on: [db]',
          '    healthcheck:',
          '      tset: ["CMD", "true"]',
          '    Environment: {A: 1}',
          'networks:',
          '  n:',
          '    ipam:',
          '      config:',
          '        - subnett: 10.0.0.0/8',
        ]),
      ).toEqual([
        '1:1 servics  unknown key "servics" — did you mean "services"?',
        '5:5 services.web.depends-on  unknown key "depends-on" — did you mean "depends_on"?',
        '7:7 services.web.healthcheck.tset  unknown key "tset" — did you mean "test"?',
        '8:5 services.web.Environment  unknown key "Environment" — did you mean "environment"?',
        '13:11 networks.n.ipam.config[0].subnett  unknown key "subnett" — did you mean "subnet"?',
      ]);
    });

    it('without a close name: lists the allowed keys of a small mapping, or points to x- extensions', () => {
      expect(shown(['services:', '  web:', '    ports:', '      - target: 80', '        bogus: 1', '    zzz: 1'])).toEqual([
        '5:9 services.web.ports[0].bogus  unknown key "bogus" (expected "name", "mode", "host_ip", "target", "published", "protocol" or "app_protocol", or an x- extension)',
        '6:5 services.web.zzz  unknown key "zzz" (extension keys must start with "x-")',
      ]);
    });

    it('calls a malformed name in a map of names what it is', () => {
      expect(shown(['services:', '  "bad name!":', '    image: x', '  web:', '    image: y', '    ulimits:', '      NOFILE: 1024'])).toEqual([
        '2:3 services.bad name!  invalid service name "bad name!": use only letters, digits, ".", "_" and "-"',
        '7:7 services.web.ulimits.NOFILE  invalid ulimit name "NOFILE": use the lowercase name of the limit (e.g. nofile, nproc)',
      ]);
    });
  });

  describe('wrong values', () => {
    it('names the expected and the found type, at the value', () => {
      expect(shown(['services:', '  web:', '    image: 5', '    privileged: [true]', '  db:', '    image: postgres', '    deploy:', '      resources:', '        limits:', '          memory: 512'])).toEqual([
        '3:12 services.web.image  must be a string (got a number)',
        '4:17 services.web.privileged  must be a boolean or a string (got a list)',
        '10:19 services.db.deploy.resources.limits.memory  must be a string (got a number)',
      ]);
    });

    it('lists the allowed values of an enumeration', () => {
      expect(shown(['services:', '  web:', '    cgroup: bogus', '    volumes:', '      - type: bond', '        source: x', '        target: /x'])).toEqual([
        '3:13 services.web.cgroup  must be one of: host, private (got "bogus")',
        '5:15 services.web.volumes[0].type  must be one of: volume, bind, tmpfs, image, npipe, cluster (got "bond")',
      ]);
    });

    it('explains a restart policy', () => {
      expect(shown(['services:', '  web:', '    restart: allways', '  db:', '    restart: on-failure:3'])).toEqual([
        '3:14 services.web.restart  must be "no", "always", "on-failure", "unless-stopped" or on-failure:<max-retries> (got "allways")',
      ]);
    });

    it('says what a long-form depends_on condition may be', () => {
      expect(shown(['services:', '  web:', '    depends_on:', '      db:', '        condition: service_ready', '  db:', '    image: postgres'])).toEqual([
        '5:20 services.web.depends_on.db.condition  must be one of: service_started, service_healthy, service_completed_successfully (got "service_ready")',
      ]);
    });

    it('collapses the noise of alternatives into one message per path', () => {
      const ds = check(['services:', '  web:', '    ports:', '      - true', '      - target: 80', '        published: [8080]', '    command: {a: 1}', '    dns: 5', '    pull_policy: sometimes']);
      expect(ds.map((d) => `${d.path}  ${d.message}`)).toEqual([
        'services.web.ports[0]  must be a number, a string or a port mapping (got a boolean)',
        'services.web.ports[1].published  must be a string or an integer (got a list)',
        'services.web.command  must be a string, a list of strings or empty (got a mapping)',
        'services.web.dns  must be a string or a list of strings (got a number)',
        'services.web.pull_policy  must be "always", "never", "missing", "if_not_present", "build", "daily", "weekly" or every_<duration> (e.g. every_12h) (got "sometimes")',
      ]);
    });

    it('reports inside whichever form was chosen (map or list) rather than the form not chosen', () => {
      expect(shown(['services:', '  web:', '    environment:', '      A: {b: 1}', '    labels:', '      - a=b', '      - 1'])).toEqual([
        '4:10 services.web.environment.A  must be a string, a number, a boolean or empty (got a mapping)',
        '7:9 services.web.labels[1]  must be a string (got a number)',
      ]);
    });

    it('reports missing required keys at the key holding the mapping', () => {
      expect(shown(['services:', '  web:', '    image: x', '    extends: {file: base.yaml}', '    develop:', '      watch:', '        - target: /app'])).toEqual([
        '4:5 services.web.extends  missing required key "service"',
        '7:11 services.web.develop.watch[0]  missing required keys "path" and "action"',
      ]);
    });

    it('reports ranges and duplicates', () => {
      expect(shown(['services:', '  web:', '    cpu_percent: 150', '    oom_score_adj: -1001', '    cap_add: [NET_ADMIN, SYS_ADMIN, NET_ADMIN]'])).toEqual([
        '3:18 services.web.cpu_percent  must be at most 100 (got 150)',
        '4:20 services.web.oom_score_adj  must be at least -1000 (got -1001)',
        '5:37 services.web.cap_add[2]  duplicate item: the same as [0]',
      ]);
    });

    it('rejects a service that is not a mapping, and a services section that is a list', () => {
      expect(shown(['services:', '  web:'])).toEqual(['2:3 services.web  must be a mapping (got an empty value)']);
      expect(shown(['services:', '  - web'])).toEqual(['2:3 services  must be a mapping (got a list)']);
    });

    it('finds keys that contain "/" or "~" (JSON pointer escapes)', () => {
      expect(shown(['services:', '  web:', '    labels:', '      "com.example/a~b": [1]'])).toEqual([
        '4:26 services.web.labels.com.example/a~b  must be a string, a number, a boolean or empty (got a list)',
      ]);
    });
  });

  it('reports every problem of the file at once, in file order, never two for one path', () => {
    const ds = check([
      'services:',
      '  web:',
      '    imagee: nginx',
      '    ports: [true, {target: 80, bogus: 1}]',
      '    environment: {A: {b: 1}}',
      '  db:',
      '    image: 5',
      'networks:',
      '  n:',
      '    zzz: 1',
    ]);
    expect(ds.map((d) => d.path)).toEqual([
      'services.web.imagee',
      'services.web.ports[0]',
      'services.web.ports[1].bogus',
      'services.web.environment.A',
      'services.db.image',
      'networks.n.zzz',
    ]);
    expect(new Set(ds.map((d) => d.path)).size).toBe(ds.length);
    const lines = ds.map((d) => d.pos?.line ?? 0);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });
});
