/**
 * Hash-join planning. A body such as
 *
 *   some x in input.xs; some y in input.ys; y.key == x.key
 *
 * is a nested loop (|xs|·|ys|). When an iteration over a collection that is fixed for the whole
 * body (`some y in C` or `y := C[_]`) is later filtered by an equality on a constant path of the
 * iterated element (`y.a.b == T`, T not mentioning y), both literals are replaced by one `join`
 * literal: the evaluator indexes C by `y.a.b` once per evaluation and binds y only to the members
 * whose key equals T. Anything that does not match the pattern exactly is left as written.
 */
import { exprVars, isWildcard, termVars, type Expr, type Term } from "./ast";

let nextJoinId = 1;

interface Binder {
  y: string;
  coll: Term;
}

function binderOf(e: Expr): Binder | undefined {
  if (e.negated || e.withs.length > 0) return undefined;
  const b = e.body;
  if (
    b.kind === "somein" &&
    b.key === null &&
    b.value.kind === "var" &&
    !isWildcard(b.value.name)
  ) {
    return { y: b.value.name, coll: b.coll };
  }
  if (
    b.kind === "term" &&
    b.term.kind === "call" &&
    (b.term.fn === "assign" || b.term.fn === "eq")
  ) {
    const [l, r] = b.term.args;
    if (l.kind === "var" && !isWildcard(l.name) && r.kind === "ref" && r.terms.length >= 2) {
      const last = r.terms[r.terms.length - 1];
      if (last.kind === "var" && isWildcard(last.name)) {
        const coll: Term =
          r.terms.length === 2 ? r.terms[0] : { ...r, terms: r.terms.slice(0, -1) };
        return { y: l.name, coll };
      }
    }
  }
  return undefined;
}

/** `y.p1.p2 == T` (either side) with a constant path; returns the path and T. */
function filterOf(e: Expr, y: string): { path: Term[]; probe: Term } | undefined {
  if (e.negated || e.withs.length > 0) return undefined;
  const b = e.body;
  if (b.kind !== "term" || b.term.kind !== "call") return undefined;
  if (b.term.fn !== "equal" && b.term.fn !== "eq") return undefined;
  const [l, r] = b.term.args;
  for (const [side, other] of [
    [l, r],
    [r, l],
  ] as const) {
    if (
      side.kind === "ref" &&
      side.terms[0].kind === "var" &&
      side.terms[0].name === y &&
      side.terms.length >= 2 &&
      side.terms.slice(1).every((t) => t.kind === "scalar")
    ) {
      if (termVars(other, new Set(), true).has(y)) continue;
      if (other.kind === "var" && other.name === y) continue;
      return { path: side.terms.slice(1), probe: other };
    }
  }
  return undefined;
}

export function planJoins(body: Expr[], bound: Set<string>): Expr[] {
  let out = body;
  for (let i = 0; i < out.length; i++) {
    const bnd = binderOf(out[i]);
    if (!bnd) continue;
    // (the index is cached per collection value, so a collection bound inside the body is fine)
    const before = new Set<string>(bound);
    for (let j = 0; j < i; j++) exprVars(out[j], before, true);
    if (before.has(bnd.y)) continue;
    for (let j = i + 1; j < out.length; j++) {
      const f = filterOf(out[j], bnd.y);
      // the probe must be known when the join runs: `v = y.path` with v fresh binds v instead
      if (f && probeBound(f.probe, out, j, bound)) {
        const join: Expr = {
          ...out[j],
          body: {
            kind: "join",
            value: { kind: "var", name: bnd.y, loc: out[i].loc },
            coll: bnd.coll,
            path: f.path,
            probe: f.probe,
            id: nextJoinId++,
          },
        };
        out = [...out.slice(0, i), ...out.slice(i + 1, j), join, ...out.slice(j + 1)];
        i--;
        break;
      }
      // y used before any filter: keep the loop as written
      if (exprVars(out[j], new Set(), true).has(bnd.y)) break;
    }
  }
  return out;
}

/** Every var of the probe is bound before literal j (the body is scheduled: earlier literals bind). */
function probeBound(probe: Term, body: Expr[], j: number, bound: Set<string>): boolean {
  const known = new Set<string>(bound);
  for (let k = 0; k < j; k++) if (!body[k].negated) exprVars(body[k], known);
  for (const v of termVars(probe, new Set(), true))
    if (v !== "input" && v !== "data" && !known.has(v)) return false;
  return true;
}

/**
 * Joins inside a set or object comprehension, whose outer variables (e.g. a function's parameter in
 * `{n.x | some n in input.needs; n.owner == name}`) are bound only when it runs: planned as if
 * every variable that is not a binder came bound from outside, with the condition under which the
 * plan is valid. The evaluator runs the planned body only when `bound` are all bound and `free`
 * all unbound on entry (else the body as written): OPA indexes such comprehensions likewise.
 */
export function planClosureJoins(
  body: Expr[],
): { body: Expr[]; bound: string[]; free: string[] } | undefined {
  const binders = new Set<string>();
  for (const e of body) {
    const b = binderOf(e);
    if (b) binders.add(b.y);
  }
  if (binders.size === 0) return undefined;
  const assumed = new Set<string>();
  for (const e of body) exprVars(e, assumed, true);
  for (const y of binders) assumed.delete(y);
  const planned = planJoins(body, assumed);
  if (planned === body) return undefined;
  // what a join reads must be bound on entry unless an earlier literal binds it
  const bound = new Set<string>();
  const free = new Set<string>();
  const known = new Set<string>(["input", "data"]);
  for (const e of planned) {
    if (e.body.kind === "join") {
      const reads = termVars(e.body.probe, new Set(), true);
      termVars(e.body.coll, reads, true);
      for (const v of reads) if (!known.has(v)) bound.add(v);
      termVars(e.body.value, free, true);
    }
    if (!e.negated && e.body.kind !== "some") exprVars(e, known);
  }
  return { body: planned, bound: [...bound], free: [...free] };
}

/**
 * A set rule that collects one constant path of each member of a collection,
 *
 *   names contains p.name if some p in input.policies      (or `p := input.policies[_]`)
 *
 * has exactly the keys of a join index of that collection on that path as its members (a member
 * without the path adds nothing, as it has no key). The evaluator builds the value from the index,
 * which the joins on the same collection and path share, instead of hashing every key twice.
 * `perMember`: the steps the body as written counts per member (a `some … in` binds once, an
 * iterated reference binds the key and then the variable).
 */
export function memberPathSet(
  body: Expr[],
  key: Term | undefined,
): { coll: Term; path: Term[]; perMember: number } | undefined {
  if (key === undefined || body.length !== 1) return undefined;
  const e = body[0];
  if (e.qIndex !== undefined) return undefined;
  const bnd = binderOf(e);
  if (!bnd || termVars(bnd.coll, new Set(), true).has(bnd.y)) return undefined;
  let path: Term[];
  if (key.kind === "var" && key.name === bnd.y) path = [];
  else if (
    key.kind === "ref" &&
    key.terms[0].kind === "var" &&
    key.terms[0].name === bnd.y &&
    key.terms.slice(1).every((t) => t.kind === "scalar")
  )
    path = key.terms.slice(1);
  else return undefined;
  return { coll: bnd.coll, path, perMember: e.body.kind === "somein" ? 1 : 2 };
}
