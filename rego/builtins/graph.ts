/**
 * graph.reachable and graph.reachable_paths over an adjacency object whose values are arrays or
 * sets of neighbours (anything else counts as "no edges"), as OPA computes them.
 */
import { BuiltinTypeError, defineAll, operandError } from "./types";
import { RObject, RSet, typeName, type Value } from "../value";

function vertices(v: Value | undefined): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.sortedValues();
  return [];
}

function args(name: string, graph: Value, initial: Value): [RObject, Value[]] {
  if (!(graph instanceof RObject)) throw operandError(name, 1, "object", graph);
  if (!Array.isArray(initial) && !(initial instanceof RSet)) {
    throw new BuiltinTypeError(
      `${name}: operand 2 must be {array, set} but got ${typeName(initial)}`,
    );
  }
  return [graph, vertices(initial)];
}

function reachable(graph: RObject, initial: Value[]): RSet {
  const reached = new RSet();
  const queue = [...initial];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i];
    const edges = graph.get(node);
    if (edges === undefined) continue; // not a vertex of the graph: never reached
    for (const n of vertices(edges)) if (!reached.has(n)) queue.push(n);
    reached.add(node);
  }
  return reached;
}

/** Depth-first: every maximal path without revisiting a vertex already on it. */
function buildPaths(graph: RObject, root: Value, path: Value[], out: RSet, onPath: RSet): void {
  const edges = graph.get(root);
  if (edges === undefined) {
    out.add(path); // dangling edge: the path ends before the unknown vertex
    return;
  }
  const here = [...path, root];
  const next = vertices(edges);
  if (next.length === 0) {
    out.add(here);
    return;
  }
  const seen = new RSet(onPath);
  seen.add(root);
  for (const n of next) {
    if (seen.has(n)) out.add(here);
    else buildPaths(graph, n, here, out, seen);
  }
}

export const builtins = defineAll([
  {
    name: "graph.reachable",
    arity: 2,
    args: [["object"], ["array", "set"]],
    impl: ([g, init]) => reachable(...args("graph.reachable", g, init)),
  },
  {
    name: "graph.reachable_paths",
    arity: 2,
    args: [["object"], ["array", "set"]],
    impl: ([g, init]) => {
      const [graph, initial] = args("graph.reachable_paths", g, init);
      const out = new RSet();
      for (const node of initial) {
        const edges = graph.get(node);
        if (edges === undefined) continue;
        const next = vertices(edges);
        if (next.length === 0) out.add([node]);
        for (const n of next) buildPaths(graph, n, [node], out, new RSet([node]));
      }
      return out;
    },
  },
]);
