/**
 * Columns as the Docker CLI's tabwriter prints them (minimum cell width 10 — 20 for `top` —
 * and 3 spaces of padding; the last column unpadded), so `container ls` lines up exactly as
 * `docker ps`: `CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES`.
 */
export function dockerTable(header: readonly string[], rows: readonly (readonly string[])[], minWidth = 10): string {
  const widths = header.map((h, i) => Math.max(minWidth, h.length + 3, ...rows.map((r) => (r[i] ?? '').length + 3)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('').trimEnd() + '\n';
  return line(header) + rows.map(line).join('');
}
