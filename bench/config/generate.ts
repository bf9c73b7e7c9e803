/**
 * Writes the `bench/config` input: one compose file with N services (default 1000) and the
 * `.env` beside it. Every service has an interpolated image, environment (map or list form,
 * `${VAR:-default}`), published ports, named and bind volumes (short and long syntax), a
 * healthcheck, labels, networks, and depends on the service before it (a chain of N, every
 * 10th link with `condition: service_healthy`). Anchors and a merge key (`<<`) share the
 * common part. No nested templates (`${A:-${B}}`): docker-compose 1.29.2 does not support
 * them and the two outputs would differ.
 *
 * The file is valid for Debian's docker-compose 1.29.2 (no `version:` key, so 1.29.2 reads it
 * as a Compose Specification file) and for tscompose. `--legacy-version` adds `version: "3.9"`,
 * which 1.29.2 also accepts (v3 schema) and tscompose accepts with an "obsolete" warning.
 *
 *   npx tsx bench/config/generate.ts [--services N] [--out DIR] [--legacy-version]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface GenerateOptions {
  /** Number of services (default 1000). */
  readonly services: number;
  /** Directory to write into; it becomes the project directory. */
  readonly dir: string;
  /** Add `version: "3.9"` (obsolete in the Compose Specification). */
  readonly legacyVersion?: boolean;
}

export interface GeneratedProject {
  readonly file: string;
  readonly envFile: string;
  readonly services: readonly string[];
  readonly bytes: number;
  readonly lines: number;
}

export const defaultBenchDir = path.join(os.tmpdir(), 'tscompose-bench', 'config');

/** `.env` for the project: some variables set here, the rest fall back to their defaults. */
const dotenv = `# bench/config: read by both tools from the project directory
TAG=1.4.2
REGISTRY=registry.example.com
LOG_LEVEL=info
DB_USER=bench
`;

export function serviceName(i: number): string {
  return `svc-${String(i).padStart(4, '0')}`;
}

function service(i: number): string {
  const name = serviceName(i);
  const lines: string[] = [];
  const out = (s: string) => lines.push(s);
  out(`  ${name}:`);
  out(`    <<: *common`);
  out(`    image: \${REGISTRY:-docker.io}/bench/${name}:\${TAG:-latest}`);
  out(`    command: ["serve", "--port", "8080", "--name", "${name}"]`);
  if (i % 2 === 0) {
    out(`    environment:`);
    out(`      SERVICE_NAME: ${name}`);
    out(`      LOG_LEVEL: \${LOG_LEVEL:-warn}`);
    out(`      DB_URL: postgres://\${DB_USER:-app}:\${DB_PASSWORD:-secret}@db-${i % 50}:5432/app`);
    out(`      CACHE_URL: redis://\${CACHE_HOST:-cache}:\${CACHE_PORT:-6379}/${i % 16}`);
    out(`      FEATURE_FLAGS: \${FEATURES:-none}`);
    out(`      REPLICA_INDEX: "${i}"`);
  } else {
    out(`    environment:`);
    out(`      - SERVICE_NAME=${name}`);
    out(`      - LOG_LEVEL=\${LOG_LEVEL:-warn}`);
    out(`      - DB_URL=postgres://\${DB_USER:-app}:\${DB_PASSWORD:-secret}@db-${i % 50}:5432/app`);
    out(`      - CACHE_URL=redis://\${CACHE_HOST:-cache}:\${CACHE_PORT:-6379}/${i % 16}`);
    out(`      - FEATURE_FLAGS=\${FEATURES:-none}`);
    out(`      - REPLICA_INDEX=${i}`);
  }
  // Host ports 20000.. (HTTP) and 40000.. (metrics): distinct, so no service publishes one twice.
  out(`    ports:`);
  out(`      - "\${BIND_IP:-127.0.0.1}:${20000 + i}:8080"`);
  out(`      - target: 9090`);
  out(`        published: "${40000 + i}"`);
  out(`        protocol: tcp`);
  out(`        mode: host`);
  out(`    volumes:`);
  out(`      - data-${i % 100}:/var/lib/${name}`);
  out(`      - ./config/${name}:/etc/${name}:ro`);
  out(`      - type: bind`);
  out(`        source: \${LOG_ROOT:-./logs}/${name}`);
  out(`        target: /var/log/app`);
  out(`    healthcheck:`);
  out(`      test: ["CMD-SHELL", "wget -qO- http://localhost:\${HEALTH_PORT:-8080}/health || exit 1"]`);
  out(`      interval: \${HC_INTERVAL:-30s}`);
  out(`      timeout: 5s`);
  out(`      retries: 3`);
  out(`      start_period: 10s`);
  out(`    labels:`);
  out(`      com.example.bench.index: "${i}"`);
  out(`      com.example.bench.tier: \${TIER:-backend}`);
  out(`    networks:`);
  out(i % 3 === 0 ? `      - front` : `      - back`);
  if (i > 0) {
    const previous = serviceName(i - 1);
    if (i % 10 === 0) {
      out(`    depends_on:`);
      out(`      ${previous}:`);
      out(`        condition: service_healthy`);
    } else {
      out(`    depends_on:`);
      out(`      - ${previous}`);
    }
  }
  return lines.join('\n');
}

export function composeText(count: number, legacyVersion = false): string {
  const parts: string[] = [];
  if (legacyVersion) parts.push('version: "3.9"');
  parts.push(`# bench/config: ${count} generated services (bench/config/generate.ts)
x-common: &common
  restart: \${RESTART_POLICY:-unless-stopped}
  stop_grace_period: 20s
  logging:
    driver: json-file
    options:
      max-size: "\${LOG_MAX_SIZE:-10m}"
      max-file: "3"
services:`);
  for (let i = 0; i < count; i++) parts.push(service(i));
  parts.push(`networks:
  front: {}
  back:
    driver: bridge
volumes:`);
  for (let v = 0; v < Math.min(100, count); v++) parts.push(`  data-${v}: {}`);
  return `${parts.join('\n')}\n`;
}

export function generate(opts: GenerateOptions): GeneratedProject {
  if (!Number.isInteger(opts.services) || opts.services < 1) {
    throw new Error(`--services must be a positive integer, got ${opts.services}`);
  }
  fs.mkdirSync(opts.dir, { recursive: true });
  const file = path.join(opts.dir, 'docker-compose.yml');
  const envFile = path.join(opts.dir, '.env');
  const text = composeText(opts.services, opts.legacyVersion);
  fs.writeFileSync(file, text);
  fs.writeFileSync(envFile, dotenv);
  return {
    file,
    envFile,
    services: Array.from({ length: opts.services }, (_, i) => serviceName(i)),
    bytes: Buffer.byteLength(text),
    lines: text.split('\n').length - 1,
  };
}

function main(argv: readonly string[]): void {
  let services = 1000;
  let dir = defaultBenchDir;
  let legacyVersion = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--services') services = Number(argv[++i]);
    else if (arg === '--out') dir = path.resolve(argv[++i] ?? '');
    else if (arg === '--legacy-version') legacyVersion = true;
    else throw new Error(`unknown argument: ${arg} (usage: generate.ts [--services N] [--out DIR] [--legacy-version])`);
  }
  const g = generate({ services, dir, legacyVersion });
  process.stdout.write(`${g.file}: ${g.services.length} services, ${g.lines} lines, ${g.bytes} bytes\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`generate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  }
}
