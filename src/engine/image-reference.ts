/**
 * Image references, normalized as Docker does (distribution/reference's
 * `ParseNormalizedNamed` followed by `TagNameOnly`):
 *
 * - `mysql`                        → `docker.io/library/mysql:latest`
 * - `user/app`                     → `docker.io/user/app:latest`
 * - `localhost:5000/team/app:1.2`  → registry `localhost:5000`, path `team/app`
 * - `ghcr.io/org/app@sha256:<hex>` → pinned by digest, no tag
 * - `app:1.0@sha256:<hex>`         → tag and digest both kept (the digest wins when pulling)
 *
 * The first path element is a registry host when it contains `.` or `:`, is
 * `localhost`, or has upper-case letters; otherwise the image is on Docker Hub
 * (`docker.io`), where one-element names live under `library/`.
 * `index.docker.io` is the same registry as `docker.io`.
 *
 * Grammar (distribution/reference):
 *   path component  [a-z0-9]+ ( ( [._] | __ | -+ ) [a-z0-9]+ )*
 *   host            domain labels of [A-Za-z0-9-] separated by `.`, or `[ipv6]`, optional `:port`
 *   tag             [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest          <algorithm>:<lowercase hex>; sha256 (64), sha384 (96), sha512 (128)
 *   name            host and path at most 255 characters
 */
import type { ImageRef } from './engine';
import { InvalidArgumentError } from './errors';

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const NAME_MAX = 255;
const TAG_MAX = 128;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const TAG = /^[\w][\w.-]*$/;
const ID_ONLY = /^[a-f0-9]{64}$/;

/** Hex length of each digest algorithm Docker accepts. */
export const DIGEST_ALGORITHMS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** Parses and normalizes `input`; throws InvalidArgumentError saying what is wrong. */
export function parseReference(input: string): ImageRef {
  const fail = (reason: string): never => {
    throw new InvalidArgumentError(`invalid image reference ${JSON.stringify(input)}: ${reason}`);
  };
  if (input === '') fail('it is empty');
  if (/\s/.test(input)) fail('it contains white space');
  if (ID_ONLY.test(input)) {
    fail('a 64-character hexadecimal string is an image ID, not a repository name');
  }

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digestProblem(digest);
    if (problem !== undefined) fail(problem);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    const problem = tagProblem(tag);
    if (problem !== undefined) fail(problem);
  }
  if (rest === '') fail('the repository name is empty');

  const [domain, path] = splitDomain(rest);
  if (domain === '') fail('the registry host is empty');
  if (!DOMAIN.test(domain)) {
    fail(`${JSON.stringify(domain)} is not a valid registry host (letters, digits, '-' and '.', and an optional :port)`);
  }
  if (path === '') fail('the repository name is empty');
  if (path.toLowerCase() !== path) fail(`repository name ${JSON.stringify(path)} must be lowercase`);
  for (const component of path.split('/')) {
    if (component === '') fail(`repository name ${JSON.stringify(path)} has an empty path component`);
    if (!PATH_COMPONENT.test(component)) {
      fail(
        `repository name component ${JSON.stringify(component)} may only hold lowercase letters and digits, ` +
          `separated by '.', '_', '__' or dashes, and must start and end with a letter or digit`,
      );
    }
  }
  if (domain.length + 1 + path.length > NAME_MAX) {
    fail(`the repository name is longer than ${NAME_MAX} characters`);
  }
  return makeReference(domain, path, tag ?? (digest === undefined ? DEFAULT_TAG : undefined), digest);
}

/**
 * Builds a reference from parts already known to be valid (the store uses it
 * for `repo@digest` names). Does not validate.
 */
export function makeReference(domain: string, path: string, tag?: string, digest?: string): ImageRef {
  const suffix = (tag !== undefined ? `:${tag}` : '') + (digest !== undefined ? `@${digest}` : '');
  return {
    domain,
    path,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    canonical: `${domain}/${path}${suffix}`,
    familiar: `${familiarName(domain, path)}${suffix}`,
  };
}

/** `docker.io/library/mysql` → `mysql`, `docker.io/user/app` → `user/app`, others unchanged. */
export function familiarName(domain: string, path: string): string {
  if (domain !== DEFAULT_DOMAIN) return `${domain}/${path}`;
  if (path.startsWith(OFFICIAL_PREFIX) && !path.slice(OFFICIAL_PREFIX.length).includes('/')) {
    return path.slice(OFFICIAL_PREFIX.length);
  }
  return path;
}

/** Why `digest` is not a valid digest, or undefined when it is. */
export function digestProblem(digest: string): string | undefined {
  const sep = digest.indexOf(':');
  if (sep < 0) return `digest ${JSON.stringify(digest)} must have the form <algorithm>:<hex>`;
  const algorithm = digest.slice(0, sep);
  const hex = digest.slice(sep + 1);
  const length = DIGEST_ALGORITHMS[algorithm];
  if (length === undefined) {
    return `unsupported digest algorithm ${JSON.stringify(algorithm)} (use sha256, sha384 or sha512)`;
  }
  if (!/^[a-f0-9]*$/.test(hex)) return `digest ${JSON.stringify(digest)} must be lowercase hexadecimal after "${algorithm}:"`;
  if (hex.length !== length) {
    return `a ${algorithm} digest has ${length} hexadecimal characters, ${JSON.stringify(digest)} has ${hex.length}`;
  }
  return undefined;
}

function tagProblem(tag: string): string | undefined {
  if (tag === '') return 'the tag after ":" is empty';
  if (tag.length > TAG_MAX) return `the tag is ${tag.length} characters long, at most ${TAG_MAX} are allowed`;
  if (!TAG.test(tag)) {
    return `tag ${JSON.stringify(tag)} may only hold letters, digits, '_', '.' and '-', and must not start with '.' or '-'`;
  }
  return undefined;
}

/** Docker's splitDockerDomain, on the name without tag or digest. */
function splitDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  if (slash < 0) return [DEFAULT_DOMAIN, OFFICIAL_PREFIX + name];
  const first = name.slice(0, slash);
  const remainder = name.slice(slash + 1);
  let domain: string;
  let path: string;
  if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
    path = remainder;
  } else {
    domain = DEFAULT_DOMAIN;
    path = name;
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_PREFIX + path;
  return [domain, path];
}
