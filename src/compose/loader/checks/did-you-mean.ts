/** ` — did you mean "db"?` for a misspelled name, or an empty string. */
import { closestMatch } from '../suggest';

export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closestMatch(name, [...candidates].filter((x) => x !== name));
  return c === undefined ? '' : ` — did you mean "${c}"?`;
}
