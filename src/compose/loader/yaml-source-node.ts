/**
 * The YAML syntax tree the parse stage walks, whichever reader produced it
 * (js-yaml on the fast path, the `yaml` package when that one gives up).
 * Aliases are kept as aliases: the walker resolves them, in document order.
 * `start` is the offset of the node's first character in the original
 * source (after its anchor and tag), or -1 when unknown.
 */
import type { Scalar } from './tree';

export type SourceNode = ScalarNode | SeqNode | MapNode | AliasNode;

interface Props {
  readonly start: number;
  readonly anchor?: string;
  /** The explicit tag as written after resolution (`!reset`, `tag:yaml.org,2002:str` …). */
  readonly tag?: string;
}

export interface ScalarNode extends Props {
  readonly kind: 'scalar';
  readonly value: Scalar;
  /** Written without quotes or block indicator (only a plain `<<` is a merge key). */
  readonly plain: boolean;
}

export interface SeqNode extends Props {
  readonly kind: 'seq';
  /** `null`: an item the walker reads as null at the sequence's position. */
  readonly items: readonly (SourceNode | null)[];
}

export interface MapNode extends Props {
  readonly kind: 'map';
  /** Parallel arrays: the i-th key and its value (`null` when missing). */
  readonly keys: readonly (SourceNode | null)[];
  readonly values: readonly (SourceNode | null)[];
}

export interface AliasNode {
  readonly kind: 'alias';
  readonly start: number;
  readonly name: string;
  readonly anchor?: undefined;
  readonly tag?: undefined;
}

/**
 * How a plain scalar reads: the YAML 1.2 core schema (null, true/false, ints in
 * decimal, `0o` octal and `0x` hex, floats, `.inf`/`.nan`), except that a
 * leading-zero `0[0-7]+` is octal as in YAML 1.1 (Docker Compose reads file
 * modes such as `0440` so). The same tests, in the same order, as the `yaml`
 * package with our custom tag.
 */
export function plainScalar(text: string): Scalar {
  const c = text.charCodeAt(0);
  // Only these first characters can start anything but a string.
  // 0-9  +  -  .  ~  n N  t T  f F
  if (
    !((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e || c === 0x7e ||
      c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46) &&
    text !== ''
  ) {
    return text;
  }
  if (LEGACY_OCTAL.test(text)) return parseInt(text, 8);
  if (NULL.test(text)) return null;
  if (BOOL.test(text)) return text[0] === 't' || text[0] === 'T';
  if (INT_OCT.test(text)) return parseInt(text.substring(2), 8);
  if (INT.test(text)) return parseInt(text, 10);
  if (INT_HEX.test(text)) return parseInt(text.substring(2), 16);
  if (FLOAT_NAN.test(text)) {
    return text.slice(-3).toLowerCase() === 'nan' ? NaN : text[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (FLOAT_EXP.test(text) || FLOAT.test(text)) return parseFloat(text);
  return text;
}

const LEGACY_OCTAL = /^0[0-7]+$/;
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
