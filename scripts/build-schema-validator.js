#!/usr/bin/env node
/**
 * Part of `npm run build` (after tsc): compiles the Compose JSON Schema validator ahead of
 * time into dist/compose/loader/compose-schema.validator.js (ajv standalone code), so that
 * the CLI does not compile the schema at every start, and keeps V8's code cache of that
 * module, made after validating sample files, beside it (compose-schema.validator.<id>.cache).
 * Without these files, or when the schema changed since, the schema stage compiles at run
 * time as before (tests from src/ do); a code cache V8 does not accept is simply not used.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const schema = require(path.join(__dirname, '..', 'dist', 'compose', 'loader', 'schema.js'));
const out = schema.PRECOMPILED_VALIDATOR_FILE;

/** The paths Compose files commonly take through the schema (the code cache keeps what ran). */
const service = (i) => ({
  image: `registry.example.com/app/svc-${i}:1.0`,
  build: { context: '.', dockerfile: 'Dockerfile', args: { A: '1' }, target: 'prod', cache_from: ['x'], secrets: ['s'] },
  command: i % 2 ? ['serve', '--port', '8080'] : 'serve --port 8080',
  entrypoint: ['/bin/sh', '-c'],
  environment: i % 2 ? { A: '1', B: null, C: 2, D: true } : ['A=1', 'B'],
  env_file: i % 2 ? ['.env'] : [{ path: '.env', required: false }],
  ports: ['8080:80', 9090, { target: 80, published: '8081', protocol: 'tcp', mode: 'host', host_ip: '127.0.0.1' }],
  expose: ['80', 81],
  volumes: [
    'data:/data',
    './conf:/etc/conf:ro',
    { type: 'bind', source: './logs', target: '/logs', bind: { create_host_path: true } },
    { type: 'tmpfs', target: '/tmp', tmpfs: { size: '10m' } },
  ],
  networks: i % 2 ? ['front', 'back'] : { front: { aliases: ['a'], ipv4_address: '10.0.0.2' }, back: null },
  depends_on: i % 2 ? ['db'] : { db: { condition: 'service_healthy', restart: true, required: false } },
  healthcheck: { test: ['CMD-SHELL', 'true'], interval: '30s', timeout: '5s', retries: 3, start_period: '10s', start_interval: '1s' },
  labels: i % 2 ? { 'com.example': 'x' } : ['com.example=x'],
  logging: { driver: 'json-file', options: { 'max-size': '10m' } },
  restart: 'unless-stopped',
  stop_grace_period: '20s',
  stop_signal: 'SIGTERM',
  deploy: {
    replicas: 2,
    resources: { limits: { cpus: '0.5', memory: '512M' }, reservations: { devices: [{ capabilities: ['gpu'], count: 1 }] } },
    restart_policy: { condition: 'on-failure', max_attempts: 3 },
    update_config: { parallelism: 1, delay: '10s' },
    labels: { a: 'b' },
  },
  secrets: ['s', { source: 's', target: 't', mode: 0o440 }],
  configs: ['c'],
  user: '1000:1000',
  working_dir: '/app',
  hostname: 'h',
  extra_hosts: ['a:1.2.3.4'],
  cap_add: ['NET_ADMIN'],
  ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: 65535 },
  sysctls: { 'net.core.somaxconn': 1024 },
  tmpfs: ['/run'],
  init: true,
  tty: i % 2 === 0,
  stdin_open: false,
  privileged: false,
  read_only: false,
  shm_size: '64m',
  mem_limit: '1g',
  cpus: 0.5,
  profiles: ['p'],
  pull_policy: 'always',
  platform: 'linux/amd64',
  extends: { service: 'base', file: 'base.yml' },
  develop: { watch: [{ path: './src', action: 'sync', target: '/app/src' }] },
  'x-custom': { a: 1 },
});
const samples = [
  {
    name: 'sample',
    services: Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`svc-${i}`, service(i)])),
    networks: { front: {}, back: { driver: 'bridge', ipam: { config: [{ subnet: '10.0.0.0/24' }] } }, ext: { external: true } },
    volumes: { data: {}, named: { driver: 'local', driver_opts: { type: 'none' }, labels: ['a=b'] } },
    secrets: { s: { file: './s.txt' }, e: { environment: 'E' } },
    configs: { c: { file: './c.txt' }, d: { content: 'x' } },
    'x-common': { anything: true },
  },
  // And a wrong one: the error paths.
  { version: '3.9', services: { web: { image: 'nginx', ports: [true], environment: { A: [] }, unknown_key: 1 } } },
];

const text = fs.readFileSync(schema.COMPOSE_SCHEMA_FILE, 'utf8');
const source = schema.standaloneValidatorSource(text);
const id = schema.buildIdOf(source);
const write = (file, data) => {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
};
write(out, source);

const { exports: validator, script } = schema.runValidatorModule(source);
for (const sample of samples) validator.default(sample);
const cache = schema.codeCacheFile(id);
write(cache, script.createCachedData());
for (const f of fs.readdirSync(path.dirname(out))) {
  const file = path.join(path.dirname(out), f);
  if (/^compose-schema\.validator\.[0-9a-f]+\.cache$/.test(f) && file !== cache) fs.rmSync(file);
}
process.stdout.write(`build-schema-validator: ${path.relative(process.cwd(), out)} (+ code cache)\n`);
