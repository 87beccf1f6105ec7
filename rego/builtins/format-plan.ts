/**
 * Plans of simple Go formats, shared by sprintf's fast path (./gofmt.ts) and the compiler's
 * in-place sprintf (rego/compile-body.ts) so both read a format alike. Apart from gofmt so the
 * compiler need not load Go's formatter to plan one.
 */

/**
 * Formats made only of `%s`/`%v`/`%d` directives (and `%%`), by format text: the literal pieces
 * around the directives and each directive's verb; null for any other format (flags, width,
 * precision, indexes, other verbs). Bounded: a policy has few distinct formats.
 */
const plainFormats = new Map<string, { pieces: string[]; verbs: string[] } | null>();

export function plainFormat(format: string): { pieces: string[]; verbs: string[] } | null {
  let plan = plainFormats.get(format);
  if (plan !== undefined) return plan;
  const pieces: string[] = [];
  const verbs: string[] = [];
  let lit = "";
  let i = 0;
  plan = { pieces, verbs };
  for (;;) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      lit += format.slice(i);
      break;
    }
    lit += format.slice(i, pct);
    const c = format[pct + 1];
    i = pct + 2;
    if (c === "%") lit += "%";
    else if (c === "s" || c === "v" || c === "d") {
      pieces.push(lit);
      verbs.push(c);
      lit = "";
    } else {
      plan = null;
      break;
    }
  }
  pieces.push(lit);
  if (plainFormats.size < 1024) plainFormats.set(format, plan);
  return plan;
}
