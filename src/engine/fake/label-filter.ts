/** Docker's label filters: `key` (the label is set) or `key=value` (set to exactly that). */

export function matchesLabels(labels: Readonly<Record<string, string>>, filters: readonly string[] | undefined): boolean {
  for (const filter of filters ?? []) {
    const eq = filter.indexOf('=');
    if (eq < 0) {
      if (!Object.prototype.hasOwnProperty.call(labels, filter)) return false;
    } else if (labels[filter.slice(0, eq)] !== filter.slice(eq + 1)) {
      return false;
    }
  }
  return true;
}
