/**
 * `security_opt` entries, as Docker reads them: `no-new-privileges[=|:true|false]`,
 * `seccomp=unconfined|<profile JSON>|<absolute path of a profile>`, `systempaths=unconfined`,
 * and `apparmor=…` / `label=…`, which are accepted and have no effect (the bundled engine
 * applies neither AppArmor nor SELinux).
 */
import { InvalidArgumentError } from '../../../errors';

export type SeccompChoice =
  | { readonly kind: 'default' }
  | { readonly kind: 'unconfined' }
  /** A Docker-format profile: its JSON text, or the absolute path of a file holding it. */
  | { readonly kind: 'profile'; readonly json: string }
  | { readonly kind: 'file'; readonly path: string };

export interface SecurityOptions {
  readonly noNewPrivileges: boolean;
  readonly seccomp: SeccompChoice;
  /** `systempaths=unconfined`: no masked or read-only /proc and /sys paths. */
  readonly unmaskedSystemPaths: boolean;
}

function parseBool(value: string, opt: string): boolean {
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new InvalidArgumentError(`invalid security_opt "${opt}": expected true or false after no-new-privileges`);
}

export function parseSecurityOptions(opts: readonly string[] | undefined): SecurityOptions {
  let noNewPrivileges = false;
  let seccomp: SeccompChoice = { kind: 'default' };
  let unmaskedSystemPaths = false;
  for (const opt of opts ?? []) {
    const sep = /[=:]/.exec(opt);
    const key = (sep === null ? opt : opt.slice(0, sep.index)).trim();
    const value = sep === null ? undefined : opt.slice(sep.index + 1);
    switch (key) {
      case 'no-new-privileges':
        noNewPrivileges = value === undefined ? true : parseBool(value, opt);
        break;
      case 'seccomp':
        if (value === undefined || value.trim() === '') throw new InvalidArgumentError(`invalid security_opt "${opt}": seccomp needs "unconfined" or a profile`);
        if (value === 'unconfined') seccomp = { kind: 'unconfined' };
        else if (value.trimStart().startsWith('{')) seccomp = { kind: 'profile', json: value };
        else if (value.startsWith('/')) seccomp = { kind: 'file', path: value };
        else throw new InvalidArgumentError(`invalid security_opt "${opt}": a seccomp profile must be JSON or an absolute path`);
        break;
      case 'systempaths':
        if (value !== 'unconfined') throw new InvalidArgumentError(`invalid security_opt "${opt}": systempaths only takes "unconfined"`);
        unmaskedSystemPaths = true;
        break;
      case 'apparmor':
      case 'label':
        break;
      default:
        throw new InvalidArgumentError(`invalid security_opt "${opt}": unknown option ${JSON.stringify(key)}`);
    }
  }
  return { noNewPrivileges, seccomp, unmaskedSystemPaths };
}
