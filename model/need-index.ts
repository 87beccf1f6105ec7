/**
 * Need name → index in a manifest's needs: how `check` places a finding on its need. The loader
 * builds this table anyway while it makes sure no two needs share a name, so it is kept for the
 * needs list it loaded, instead of a second table of 10,000 names being built for the findings.
 * A needs list made some other way (a Manifest built by hand) gets its table on first use.
 */
import type { Need } from "./types";

const indexes = new WeakMap<readonly Need[], ReadonlyMap<string, number>>();

/** Records the table of a needs list just loaded: each name of `needs` → its (only) index. */
export function rememberNeedIndex(
  needs: readonly Need[],
  index: ReadonlyMap<string, number>,
): void {
  indexes.set(needs, index);
}

/** Name → index in `needs` (the last of a name, should a hand-built list repeat one). */
export function needIndexOf(needs: readonly Need[]): ReadonlyMap<string, number> {
  let index = indexes.get(needs);
  if (!index) {
    const m = new Map<string, number>();
    for (let i = 0; i < needs.length; i++) m.set(needs[i].name, i);
    indexes.set(needs, m);
    index = m;
  }
  return index;
}
