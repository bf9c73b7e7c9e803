/**
 * The user a container runs as, resolved in the container's own /etc/passwd and /etc/group
 * (read inside the root file system, never through a symlink out of it — read-in-root.ts), by
 * the rules runc and Docker use:
 * - `user`, `uid`, `user:group`, `uid:gid`; empty means root;
 * - a name must have a passwd entry; a number needs none (then the gid is 0 unless given);
 * - without an explicit group, the user's primary gid comes from passwd and the supplementary
 *   groups are the ones of /etc/group listing the user; with one, no supplementary groups;
 * - `group_add` entries are group names (must exist) or gids (need not);
 * - IDs are 0…2147483647.
 * additionalGids holds the primary gid first, then the supplementary and added groups, once each.
 */
import type { ResolvedUser } from './build-spec';
import { InvalidArgumentError } from '../../../errors';
import { readFileInRoot } from './read-in-root';

const MAX_ID = 2147483647;

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

function lines(text: string | undefined): string[][] {
  if (text === undefined) return [];
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

function numeric(s: string | undefined): number | undefined {
  return s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined;
}

export function parsePasswd(text: string | undefined): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const f of lines(text)) {
    const uid = numeric(f[2]);
    const gid = numeric(f[3]);
    if (uid !== undefined && gid !== undefined) out.push({ name: f[0] ?? '', uid, gid, home: f[5] ?? '' });
  }
  return out;
}

export function parseGroup(text: string | undefined): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const f of lines(text)) {
    const gid = numeric(f[2]);
    if (gid !== undefined) out.push({ name: f[0] ?? '', gid, members: (f[3] ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '') });
  }
  return out;
}

/** A numeric ID given by the user, range-checked; undefined when `s` is not a number. */
function parseId(s: string, what: string): number | undefined {
  if (!/^-?\d+$/.test(s)) return undefined;
  const n = Number(s);
  if (n < 0 || n > MAX_ID) throw new InvalidArgumentError(`invalid ${what} ${s}: uids and gids must be in range 0-${MAX_ID}`);
  return n;
}

export function resolveUser(rootfs: string, user: string | undefined, groupAdd?: readonly string[]): ResolvedUser {
  const spec = user ?? '';
  const colon = spec.indexOf(':');
  const userArg = colon === -1 ? spec : spec.slice(0, colon);
  const groupArg = colon === -1 ? '' : spec.slice(colon + 1);

  let passwd: PasswdEntry[] | undefined;
  let group: GroupEntry[] | undefined;
  const passwdEntries = (): PasswdEntry[] => (passwd ??= parsePasswd(readFileInRoot(rootfs, '/etc/passwd')));
  const groupEntries = (): GroupEntry[] => (group ??= parseGroup(readFileInRoot(rootfs, '/etc/group')));

  let uid = 0;
  let gid = 0;
  let home = '/';
  let matchedName: string | undefined;
  const uidArg = userArg === '' ? 0 : parseId(userArg, 'user');
  const entry = passwdEntries().find((e) => (uidArg !== undefined ? e.uid === uidArg : e.name === userArg));
  if (entry !== undefined) {
    ({ uid, gid } = entry);
    home = entry.home !== '' ? entry.home : '/';
    matchedName = entry.name;
  } else if (uidArg === undefined) {
    throw new InvalidArgumentError(`unable to find user ${userArg}: no matching entries in passwd file`);
  } else {
    uid = uidArg;
  }

  let supplementary: number[] = [];
  if (groupArg !== '') {
    const gidArg = parseId(groupArg, 'group');
    const g = groupEntries().find((e) => (gidArg !== undefined ? e.gid === gidArg : e.name === groupArg));
    if (g !== undefined) gid = g.gid;
    else if (gidArg !== undefined) gid = gidArg;
    else throw new InvalidArgumentError(`unable to find group ${groupArg}: no matching entries in group file`);
  } else if (matchedName !== undefined) {
    const name = matchedName;
    supplementary = groupEntries()
      .filter((g) => g.members.includes(name))
      .map((g) => g.gid);
  }

  const added = (groupAdd ?? []).map((g) => {
    const n = parseId(g, 'group_add entry');
    if (n !== undefined) return n;
    const found = groupEntries().find((e) => e.name === g);
    if (found === undefined) throw new InvalidArgumentError(`unable to find group ${g} (group_add): no matching entries in group file`);
    return found.gid;
  });

  const additionalGids = [...new Set([gid, ...supplementary, ...added])];
  return { uid, gid, additionalGids, home };
}
