/**
 * Registry credentials as the Docker CLI stores them, in `config.json` under
 * `$DOCKER_CONFIG` (default `$HOME/.docker`):
 *
 *   { "auths": { "https://index.docker.io/v1/": { "auth": "<base64 user:password>" },
 *                "ghcr.io": { "username": "u", "password": "p" },
 *                "registry.example.com": { "identitytoken": "<refresh token>" } },
 *     "credHelpers": { "gcr.io": "gcloud" },      // helper per registry
 *     "credsStore": "pass" }                       // helper for every other registry
 *
 * A helper is the program `docker-credential-<name>`; `get` reads the server
 * URL on stdin and prints `{"ServerURL":…,"Username":…,"Secret":…}` (a
 * Username of `<token>` means the Secret is an identity token). Docker Hub's
 * key is `https://index.docker.io/v1/`; other keys are compared by host name,
 * so `https://ghcr.io`, `ghcr.io` and `ghcr.io/v2/` are the same registry.
 * With a helper configured, `auths` still answers when the helper has nothing.
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../../../errors';

export interface RegistryCredentials {
  readonly username?: string;
  readonly password?: string;
  /** OAuth2 refresh token, exchanged at the token server (`docker login` with SSO). */
  readonly identityToken?: string;
  /** A bearer token sent to the registry as is. */
  readonly registryToken?: string;
}

export interface CredentialStore {
  /** Credentials for a registry host (`docker.io`, `ghcr.io`, `127.0.0.1:5000`), if any are stored. */
  get(host: string): Promise<RegistryCredentials | undefined>;
}

/** Docker Hub's key in config.json and the server URL its helpers are asked about. */
export const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

/** The same credentials for every host: for tests and for `--username/--password` style use. */
export function staticCredentials(byHost: Readonly<Record<string, RegistryCredentials>>): CredentialStore {
  return { get: async (host) => byHost[host] };
}

export const noCredentials: CredentialStore = { get: async () => undefined };

export interface DockerConfigOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a file, undefined when it does not exist (default: node:fs). */
  readonly readFile?: (file: string) => Promise<string | undefined>;
  /** Runs `docker-credential-<helper> get` with `serverUrl` on stdin, returns stdout or undefined when it has no credentials. */
  readonly runHelper?: (helper: string, serverUrl: string) => Promise<string | undefined>;
}

/** The config.json path the Docker CLI would use, or undefined when neither DOCKER_CONFIG nor HOME is set. */
export function dockerConfigPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.DOCKER_CONFIG !== undefined && env.DOCKER_CONFIG !== '') return path.join(env.DOCKER_CONFIG, 'config.json');
  if (env.HOME !== undefined && env.HOME !== '') return path.join(env.HOME, '.docker', 'config.json');
  return undefined;
}

/** Credentials from Docker's config.json, read afresh on every lookup (a `docker login` takes effect at once). */
export function dockerConfigCredentials(options: DockerConfigOptions): CredentialStore {
  const readFile = options.readFile ?? readFileIfExists;
  const runHelper = options.runHelper ?? ((helper: string, url: string) => runCredentialHelper(helper, url, options.env));
  return {
    async get(host) {
      const file = dockerConfigPath(options.env);
      if (file === undefined) return undefined;
      const text = await readFile(file);
      if (text === undefined) return undefined;
      const config = parseDockerConfig(text, file);
      const serverUrl = host === 'docker.io' ? DOCKER_HUB_SERVER : host;
      const helper = findHelper(config.credHelpers, host) ?? config.credsStore;
      if (helper !== undefined && helper !== '') {
        const out = await runHelper(helper, serverUrl);
        if (out !== undefined) {
          const fromHelper = parseHelperOutput(out, helper);
          if (fromHelper !== undefined) return fromHelper;
        }
      }
      const entry = findAuth(config.auths, host);
      return entry === undefined ? undefined : credentialsFromEntry(entry, file, host);
    },
  };
}

interface AuthEntry {
  readonly auth?: string;
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
  readonly registrytoken?: string;
}

interface DockerConfigFile {
  readonly auths: Readonly<Record<string, AuthEntry>>;
  readonly credHelpers: Readonly<Record<string, string>>;
  readonly credsStore?: string;
}

export function parseDockerConfig(text: string, file: string): DockerConfigFile {
  let json: unknown;
  try {
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw new EngineError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new EngineError(`${file}: must hold a JSON object`);
  const o = json as Record<string, unknown>;
  const auths = isRecord(o.auths) ? (o.auths as Record<string, AuthEntry>) : {};
  const credHelpers = isRecord(o.credHelpers) ? (o.credHelpers as Record<string, string>) : {};
  const credsStore = typeof o.credsStore === 'string' ? o.credsStore : undefined;
  return { auths, credHelpers, ...(credsStore !== undefined ? { credsStore } : {}) };
}

/** `https://index.docker.io/v1/` → `index.docker.io`; `http://r:5000/x` → `r:5000` (Docker's ConvertToHostname). */
export function keyHost(key: string): string {
  let s = key.replace(/^[a-z]+:\/\//i, '');
  const slash = s.indexOf('/');
  if (slash >= 0) s = s.slice(0, slash);
  return s.toLowerCase();
}

const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

function sameRegistry(key: string, host: string): boolean {
  const k = keyHost(key);
  if (host === 'docker.io') return HUB_HOSTS.has(k);
  return k === host.toLowerCase();
}

function findAuth(auths: Readonly<Record<string, AuthEntry>>, host: string): AuthEntry | undefined {
  const exact = host === 'docker.io' ? auths[DOCKER_HUB_SERVER] : auths[host];
  if (exact !== undefined) return exact;
  const key = Object.keys(auths).find((k) => sameRegistry(k, host));
  return key === undefined ? undefined : auths[key];
}

function findHelper(helpers: Readonly<Record<string, string>>, host: string): string | undefined {
  const exact = host === 'docker.io' ? helpers[DOCKER_HUB_SERVER] : helpers[host];
  if (typeof exact === 'string') return exact;
  const key = Object.keys(helpers).find((k) => sameRegistry(k, host));
  return key === undefined ? undefined : helpers[key];
}

function credentialsFromEntry(entry: AuthEntry, file: string, host: string): RegistryCredentials | undefined {
  if (!isRecord(entry)) return undefined;
  let username = typeof entry.username === 'string' ? entry.username : undefined;
  let password = typeof entry.password === 'string' ? entry.password : undefined;
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new EngineError(`${file}: the "auth" of ${host} is not base64 of "user:password"`);
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  const identityToken = typeof entry.identitytoken === 'string' && entry.identitytoken !== '' ? entry.identitytoken : undefined;
  const registryToken = typeof entry.registrytoken === 'string' && entry.registrytoken !== '' ? entry.registrytoken : undefined;
  if (username === undefined && identityToken === undefined && registryToken === undefined) return undefined;
  return {
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(identityToken !== undefined ? { identityToken } : {}),
    ...(registryToken !== undefined ? { registryToken } : {}),
  };
}

function parseHelperOutput(out: string, helper: string): RegistryCredentials | undefined {
  let json: unknown;
  try {
    json = JSON.parse(out);
  } catch {
    throw new EngineError(`credential helper docker-credential-${helper} printed something that is not JSON`);
  }
  if (!isRecord(json)) return undefined;
  const o = json as Record<string, unknown>;
  const username = typeof o.Username === 'string' ? o.Username : '';
  const secret = typeof o.Secret === 'string' ? o.Secret : '';
  if (secret === '') return undefined;
  if (username === '<token>') return { identityToken: secret };
  return { username, password: secret };
}

/** Runs `docker-credential-<helper> get`; undefined when the helper says it has no credentials. */
export function runCredentialHelper(
  helper: string,
  serverUrl: string,
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs = 30_000,
): Promise<string | undefined> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        new EngineError(
          e.code === 'ENOENT'
            ? `credential helper ${program} (configured in Docker's config.json) is not installed or not on PATH`
            : `credential helper ${program} could not run: ${e.message}`,
        ),
      );
    });
    child.on('close', (code, sig) => {
      if (code === 0) return resolve(stdout);
      const said = (stdout + stderr).trim();
      if (/credentials not found/i.test(said)) return resolve(undefined);
      reject(
        new EngineError(
          `credential helper ${program} failed for ${serverUrl}` +
            (sig !== null ? ` (killed by ${sig})` : ` (exit ${code})`) +
            (said !== '' ? `: ${said.split('\n')[0]}` : ''),
        ),
      );
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverUrl);
  });
}

async function readFileIfExists(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EngineError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function isRecord(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
