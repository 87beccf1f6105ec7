/**
 * `opa test --coverage`: which lines of each module ran. A line is coverable when a rule starts
 * on it or a body expression (at any depth) does; it is covered when one of those ran (an
 * expression evaluated, a rule produced a value). The report has OPA's JSON shape.
 */
import type { Expr, Module, Term } from "./ast";

export interface CoverageRange {
  readonly start: { readonly row: number };
  readonly end: { readonly row: number };
}

export interface FileCoverage {
  readonly covered?: CoverageRange[];
  readonly not_covered?: CoverageRange[];
  readonly covered_lines: number;
  readonly not_covered_lines: number;
  readonly coverage: number;
}

export interface CoverageReport {
  readonly files: Record<string, FileCoverage>;
  readonly covered_lines: number;
  readonly not_covered_lines: number;
  readonly coverage: number;
}

function termRows(t: Term, out: Set<number>): void {
  switch (t.kind) {
    case "ref":
      t.terms.forEach((x) => termRows(x, out));
      return;
    case "array":
    case "set":
      t.items.forEach((x) => termRows(x, out));
      return;
    case "object":
      for (const [k, v] of t.items) {
        termRows(k, out);
        termRows(v, out);
      }
      return;
    case "call":
      t.args.forEach((x) => termRows(x, out));
      return;
    case "arraycomp":
    case "setcomp":
    case "objcomp":
      bodyRows(t.body, out);
      return;
    default:
      return;
  }
}

function bodyRows(body: Expr[], out: Set<number>): void {
  for (const e of body) {
    out.add(e.loc.row);
    const b = e.body;
    if (b.kind === "term") termRows(b.term, out);
    else if (b.kind === "every") bodyRows(b.body, out);
  }
}

/** Lines that can run, per module file. */
function coverableRows(m: Module): Set<number> {
  const rows = new Set<number>();
  for (const r of m.rules) {
    for (let cur: typeof r | undefined = r; cur; cur = cur.elseRule) {
      rows.add(cur.loc.row);
      // a body of one generated `true` (rules without a body) sits on the head's line
      bodyRows(cur.body, rows);
    }
  }
  return rows;
}

function ranges(rows: number[]): CoverageRange[] {
  const out: CoverageRange[] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last && last.end.row === r - 1) (last.end as { row: number }).row = r;
    else out.push({ start: { row: r }, end: { row: r } });
  }
  return out;
}

function pct(c: number, n: number): number {
  return c + n === 0 ? 0 : Math.round((c / (c + n)) * 10000) / 100;
}

export function coverageReport(
  modules: readonly Module[],
  covered: ReadonlySet<string>,
): CoverageReport {
  const files: Record<string, FileCoverage> = {};
  let c = 0;
  let n = 0;
  for (const m of modules) {
    const rows = [...coverableRows(m)].sort((a, b) => a - b);
    const yes = rows.filter((r) => covered.has(`${m.file}:${r}`));
    const no = rows.filter((r) => !covered.has(`${m.file}:${r}`));
    c += yes.length;
    n += no.length;
    files[m.file] = {
      ...(yes.length ? { covered: ranges(yes) } : {}),
      ...(no.length ? { not_covered: ranges(no) } : {}),
      covered_lines: yes.length,
      not_covered_lines: no.length,
      coverage: pct(yes.length, no.length),
    };
  }
  return { files, covered_lines: c, not_covered_lines: n, coverage: pct(c, n) };
}
