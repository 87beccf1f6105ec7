/**
 * What running a compiled program needs of the compiler (./compiler.ts), apart from it: the data
 * tree's node, the counters generated names are drawn from, and the restore of a program
 * compiled earlier and stored. `check` with the build's artefact runs a stored program, so it
 * loads this small module instead of the compiler.
 */
import type { Module } from "./ast";
import { BUILTINS } from "./builtins";
import type { BuiltinDef } from "./builtins/types";
import type { CompiledProgram, RuleGroup } from "./compiler";

/** A node of the data tree: its children by key, and the rule group defined at its path. */
export class DNode {
  readonly children = new Map<string, DNode>();
  group?: RuleGroup;
}

/**
 * The counters the compiler draws fresh variable names from (closure-declared variables are
 * renamed `x$n`, hoisted operands `__localn__`), process-wide so that names never meet.
 */
export const names = { fresh: 0, hoist: 0 };

/**
 * A program compiled earlier and stored (policies/ast-artefact.ts keeps the bundled policies'),
 * put back together: the rule groups in compile order, the data tree over them built as
 * compileModules builds it, and the name counters moved at least as far as that compile moved
 * them, so names generated afterwards never meet the stored ones.
 *
 * The modules may be given as their package paths and a loader: evaluation reads only the groups
 * and the data tree, so a caller that stores the modules apart (the artefact) loads them the
 * first time something reads `modules` (tests, coverage, rule names).
 */
export function restoreProgram(
  modules:
    | Module[]
    | {
        readonly packagePaths: readonly (readonly string[])[];
        readonly load: () => Module[];
      },
  groupList: readonly RuleGroup[],
  counters: readonly [number, number],
  builtins: Readonly<Record<string, BuiltinDef>> = BUILTINS,
): CompiledProgram {
  const root = new DNode();
  const nodeAt = (path: readonly string[]): DNode => {
    let node = root;
    for (const p of path) {
      let c = node.children.get(p);
      if (!c) {
        c = new DNode();
        node.children.set(p, c);
      }
      node = c;
    }
    return node;
  };
  const lazy = !Array.isArray(modules);
  for (const p of lazy ? modules.packagePaths : modules.map((m) => m.packagePath)) nodeAt(p);
  const groups = new Map<string, RuleGroup>();
  for (const g of groupList) {
    groups.set(g.name, g);
    nodeAt(g.path.slice(1)).group = g;
  }
  names.fresh = Math.max(names.fresh, counters[0]);
  names.hoist = Math.max(names.hoist, counters[1]);
  if (!lazy) return { root, groups, modules, builtins };
  let loaded: Module[] | undefined;
  return {
    root,
    groups,
    builtins,
    get modules(): Module[] {
      return (loaded ??= modules.load());
    },
    set modules(m: Module[]) {
      loaded = m;
    },
  };
}
