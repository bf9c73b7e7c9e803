#!/usr/bin/env node
/**
 * Part of `npm run build` (after tsc): V8's code cache for the CLI's modules
 * (dist/code-cache/, used by src/cli/code-cache.ts), made after the CLI has run
 * `config` on a sample project, so that the functions loading a compose file
 * needs are compiled in it. A module changed since (another `tsc`) is compiled
 * from its source as usual; so is everything when this step has not run.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
const { CODE_CACHE_DIR, recordCodeCache } = require(path.join(dist, 'cli', 'code-cache.js'));

/** A small project with the attributes Compose files commonly hold, in their short and long forms. */
const sample = `x-defaults: &defaults
  restart: \${RESTART:-unless-stopped}
  logging:
    driver: json-file
    options:
      max-size: "\${LOG_SIZE:-10m}"
services:
  web:
    <<: *defaults
    image: \${REGISTRY:-docker.io}/library/nginx:\${TAG:-latest}
    command: ["nginx", "-g", "daemon off;"]
    environment:
      MODE: production
      LEVEL: \${LEVEL:-info}
      EMPTY:
    ports:
      - "\${BIND:-127.0.0.1}:8080:80"
      - 443
      - target: 9090
        published: "9090"
        protocol: tcp
        mode: host
    volumes:
      - data:/var/lib/web
      - ./conf:/etc/nginx/conf.d:ro
      - type: bind
        source: \${LOGS:-./logs}
        target: /var/log/nginx
      - type: tmpfs
        target: /tmp
        tmpfs:
          size: 64m
    healthcheck:
      test: ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]
      interval: \${INTERVAL:-30s}
      timeout: 5s
      retries: 3
      start_period: 10s
    labels:
      com.example.tier: front
    networks:
      - front
    depends_on:
      - api
  api:
    <<: *defaults
    build:
      context: ./api
      args:
        VERSION: "1.0"
    command: serve --port 8000
    environment:
      - MODE=production
      - DB_URL=postgres://\${DB_USER:-app}@db:5432/app
    expose:
      - "8000"
    secrets:
      - token
    configs:
      - source: settings
        target: /etc/api/settings.json
    networks:
      front:
        aliases: [backend]
      back: {}
    depends_on:
      db:
        condition: service_healthy
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: example
    volumes:
      - db:/var/lib/postgresql/data
    healthcheck:
      test: pg_isready
      interval: 10s
    networks: [back]
    deploy:
      resources:
        limits:
          memory: 512M
          cpus: "0.5"
networks:
  front: {}
  back:
    driver: bridge
volumes:
  data: {}
  db:
secrets:
  token:
    file: ./token.txt
configs:
  settings:
    file: ./settings.json
`;

async function main() {
  fs.rmSync(CODE_CACHE_DIR, { recursive: true, force: true });
  const recorder = recordCodeCache();
  const { run } = require(path.join(dist, 'cli', 'main.js'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tscompose-code-cache-'));
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  try {
    fs.writeFileSync(path.join(dir, 'compose.yaml'), sample);
    fs.writeFileSync(path.join(dir, '.env'), 'TAG=1.27\nDB_USER=api\n');
    process.stdout.write = () => true;
    process.stderr.write = () => true;
    const env = { PATH: process.env.PATH, HOME: dir };
    for (const argv of [['config'], ['config', '--format', 'json'], ['config', '--services']]) {
      const code = await run({ argv, cwd: dir, env });
      if (code !== 0) throw new Error(`tscompose ${argv.join(' ')} on the sample project exited with ${code}`);
    }
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const modules = recorder.write();
  process.stdout.write(`build-code-cache: ${path.relative(process.cwd(), CODE_CACHE_DIR)} (${modules} modules)\n`);
}

main().catch((e) => {
  process.stderr.write(`build-code-cache: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
