/**
 * Object built-ins (object.*) and the path-based JSON helpers (json.filter, json.remove,
 * json.patch), following OPA's topdown semantics: results are always fresh values, inputs are
 * never mutated.
 */
import { BuiltinTypeError, defineAll, operandError } from "./types";
import { RObject, RSet, compare, equal, typeName, type Value } from "../value";

function objectArg(name: string, pos: number, v: Value): RObject {
  if (!(v instanceof RObject)) throw operandError(name, pos, "object", v);
  return v;
}

/** Step one level into a composite, as OPA's `Value.Find` does; undefined when absent. */
export function childOf(v: Value, seg: Value): Value | undefined {
  if (v instanceof RObject) return v.get(seg);
  if (Array.isArray(v)) {
    if (typeof seg !== "number" || !Number.isInteger(seg) || seg < 0 || seg >= v.length) {
      return undefined;
    }
    return v[seg];
  }
  if (v instanceof RSet) return v.has(seg) ? seg : undefined;
  return undefined;
}

function keysParam(name: string, v: Value): RSet {
  if (Array.isArray(v)) return new RSet(v);
  if (v instanceof RSet) return v;
  if (v instanceof RObject) return new RSet(v.keys());
  throw operandError(name, 2, "one of {object, set, array}", v);
}

/** `object.filter` (`listed`: keep the listed keys) and `object.remove` (keep the others). */
function selectKeys(name: string, obj: Value, keys: Value, listed: boolean): RObject {
  const o = objectArg(name, 1, obj);
  const chosen = keysParam(name, keys);
  const out = new RObject();
  for (const [k, v] of o.entries()) if (chosen.has(k) === listed) out.set(k, v);
  return out;
}

/** Recursive merge; on conflict the right side wins unless both sides are objects. */
function mergeWithOverwrite(a: RObject, b: RObject): RObject {
  const out = a.copy();
  for (const e of b.entries()) {
    const vb = e[1];
    if (vb instanceof RObject) {
      const va = out.get(e[0]);
      if (va instanceof RObject) {
        out.set(e[0], mergeWithOverwrite(va, vb));
        continue;
      }
    }
    out.setEntry(e);
  }
  return out;
}

/**
 * OPA's `Object.Filter`: keep what the filter tree names. A `null` filter leaf keeps the whole
 * sub-value; array elements are addressed by their index written as a string.
 */
function filterValue(v: Value, filter: Value): Value {
  if (filter === null) return v;
  if (!(filter instanceof RObject)) {
    throw new BuiltinTypeError(`invalid filter value ${typeName(filter)}, expected an object`);
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (let i = 0; i < v.length; i++) {
      const sub = filter.get(String(i)); // OPA addresses array elements by decimal strings only
      if (sub !== undefined) out.push(filterValue(v[i], sub));
    }
    return out;
  }
  if (v instanceof RSet) {
    const out = new RSet();
    for (const e of v) {
      const sub = filter.get(e);
      if (sub !== undefined) out.add(filterValue(e, sub));
    }
    return out;
  }
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, val] of v.entries()) {
      const sub = filter.get(k);
      if (sub !== undefined) out.set(k, filterValue(val, sub));
    }
    return out;
  }
  return v;
}

/** JSON-pointer-ish path: "a/b/c" (leading slashes trimmed, ~1 and ~0 unescaped) or an array. */
export function parsePath(name: string, p: Value): Value[] {
  if (typeof p === "string") {
    if (p === "") return [];
    return p
      .replace(/^\/+/, "")
      .split("/")
      .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"));
  }
  if (Array.isArray(p)) return [...p];
  throw new BuiltinTypeError(
    `${name}: operand 2 must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`,
  );
}

function jsonPaths(name: string, v: Value): Value[][] {
  if (Array.isArray(v)) return v.map((p) => parsePath(name, p));
  if (v instanceof RSet) return v.sortedValues().map((p) => parsePath(name, p));
  throw operandError(name, 2, "one of {set, array}", v);
}

/** Build the filter tree: every path ends in a `null` leaf; a shorter path wins over a longer. */
function pathsToTree(paths: Value[][]): RObject {
  const root = new RObject();
  for (const path of paths) {
    if (path.length === 0) continue;
    let node = root;
    let done = false;
    for (let i = 0; i < path.length - 1 && !done; i++) {
      const child = node.get(path[i]);
      if (child === undefined) {
        const next = new RObject();
        node.set(path[i], next);
        node = next;
      } else if (child instanceof RObject) {
        node = child;
      } else {
        done = true;
      }
    }
    if (!done) node.set(path[path.length - 1], null);
  }
  return root;
}

/** Walk `v`, dropping what the tree marks with `null`; undefined means "drop this value". */
function removeByTree(v: Value, tree: Value | undefined): Value | undefined {
  if (tree === undefined) return v;
  if (tree === null) return undefined;
  if (!(tree instanceof RObject)) return v;
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, val] of v.entries()) {
      const r = removeByTree(val, tree.get(k));
      if (r !== undefined) out.set(k, r);
    }
    return out;
  }
  if (v instanceof RSet) {
    const out = new RSet();
    for (const e of v) {
      const r = removeByTree(e, tree.get(e));
      if (r !== undefined) out.add(r);
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (let i = 0; i < v.length; i++) {
      const r = removeByTree(v[i], tree.get(String(i)));
      if (r !== undefined) out.push(r);
    }
    return out;
  }
  return v;
}

function objectSubset(sup: RObject, sub: RObject): boolean {
  for (const [k, sv] of sub.entries()) {
    const pv = sup.get(k);
    if (pv === undefined) return false;
    if (equal(sv, pv)) continue;
    if (pv instanceof RObject && sv instanceof RObject) {
      if (!objectSubset(pv, sv)) return false;
    } else if (pv instanceof RSet && sv instanceof RSet) {
      if (!setSubset(pv, sv)) return false;
    } else if (Array.isArray(pv) && Array.isArray(sv)) {
      if (!arraySubset(pv, sv)) return false;
    } else {
      return false;
    }
  }
  return true;
}

function setSubset(sup: RSet, sub: RSet): boolean {
  for (const e of sub) if (!sup.has(e)) return false;
  return true;
}

/** `sub` must occur in `sup` as a contiguous run (string search over values). */
function arraySubset(sup: Value[], sub: Value[]): boolean {
  if (sub.length > sup.length) return false;
  outer: for (let start = 0; start + sub.length <= sup.length; start++) {
    for (let j = 0; j < sub.length; j++) {
      if (compare(sup[start + j], sub[j]) !== 0) continue outer;
    }
    return true;
  }
  return false;
}

/**
 * Array ⊇ set, as OPA counts it: every element of the array that is in the set counts once
 * (duplicates included), and the result is true once the count reaches the set's size after
 * at least one array element was seen.
 */
function arraySetSubset(sup: Value[], sub: RSet): boolean {
  let unmatched = sub.size;
  for (const e of sup) {
    if (sub.has(e)) unmatched--;
    if (unmatched === 0) return true;
  }
  return false;
}

// ---- json.patch (RFC 6902 as OPA applies it) ----

class PatchFailure extends Error {}

function arrayIndex(seg: Value, len: number, allowEnd: boolean): number {
  if (allowEnd && seg === "-") return len;
  let n: number;
  if (typeof seg === "string") {
    if (!/^(0|[1-9][0-9]*)$/.test(seg)) throw new PatchFailure(`invalid array index ${seg}`);
    n = Number(seg);
  } else if (typeof seg === "number" && Number.isInteger(seg)) {
    n = seg;
  } else {
    throw new PatchFailure("invalid array index");
  }
  if (n < 0 || n > (allowEnd ? len : len - 1)) throw new PatchFailure("index out of range");
  return n;
}

function getAt(doc: Value, path: Value[]): Value {
  let cur = doc;
  for (const seg of path) {
    if (cur instanceof RObject) {
      const next = cur.get(seg);
      if (next === undefined) throw new PatchFailure("path does not exist");
      cur = next;
    } else if (Array.isArray(cur)) {
      cur = cur[arrayIndex(seg, cur.length, false)];
    } else if (cur instanceof RSet) {
      if (!cur.has(seg)) throw new PatchFailure("path does not exist");
      cur = seg;
    } else {
      throw new PatchFailure("path does not exist");
    }
  }
  return cur;
}

/** Copy-on-write update of the parent at `path[0..n-1]`; `edit` receives the parent. */
function updateAt(doc: Value, path: Value[], i: number, edit: (parent: Value) => Value): Value {
  if (i === path.length - 1) return edit(doc);
  const seg = path[i];
  if (doc instanceof RObject) {
    const child = doc.get(seg);
    if (child === undefined) throw new PatchFailure("path does not exist");
    const out = new RObject(doc.entries());
    out.set(seg, updateAt(child, path, i + 1, edit));
    return out;
  }
  if (Array.isArray(doc)) {
    const idx = arrayIndex(seg, doc.length, false);
    const out = doc.slice();
    out[idx] = updateAt(doc[idx], path, i + 1, edit);
    return out;
  }
  if (doc instanceof RSet) {
    if (!doc.has(seg)) throw new PatchFailure("path does not exist");
    const out = new RSet([...doc].filter((e) => !equal(e, seg)));
    out.add(updateAt(seg, path, i + 1, edit));
    return out;
  }
  throw new PatchFailure("path does not exist");
}

function insertAt(doc: Value, path: Value[], value: Value): Value {
  if (path.length === 0) return value;
  const last = path[path.length - 1];
  return updateAt(doc, path, 0, (parent) => {
    if (parent instanceof RObject) {
      const out = new RObject(parent.entries());
      out.set(last, value);
      return out;
    }
    if (Array.isArray(parent)) {
      const idx = arrayIndex(last, parent.length, true);
      const out = parent.slice();
      out.splice(idx, 0, value);
      return out;
    }
    if (parent instanceof RSet) {
      const out = new RSet(parent);
      out.add(value);
      return out;
    }
    throw new PatchFailure("cannot insert into a scalar");
  });
}

function deleteAt(doc: Value, path: Value[]): Value {
  if (path.length === 0) throw new PatchFailure("cannot delete the document root");
  const last = path[path.length - 1];
  return updateAt(doc, path, 0, (parent) => {
    if (parent instanceof RObject) {
      if (!parent.has(last)) throw new PatchFailure("path does not exist");
      const out = new RObject(parent.entries());
      out.delete(last);
      return out;
    }
    if (Array.isArray(parent)) {
      const idx = arrayIndex(last, parent.length, false);
      const out = parent.slice();
      out.splice(idx, 1);
      return out;
    }
    if (parent instanceof RSet) {
      if (!parent.has(last)) throw new PatchFailure("path does not exist");
      return new RSet([...parent].filter((e) => !equal(e, last)));
    }
    throw new PatchFailure("path does not exist");
  });
}

function patchAttr(op: RObject, attr: string): Value {
  const v = op.get(attr);
  if (v === undefined) throw new PatchFailure(`missing '${attr}' attribute`);
  return v;
}

function patchPath(p: Value): Value[] {
  if (typeof p === "string" || Array.isArray(p)) return parsePath("json.patch", p);
  throw new PatchFailure("invalid path");
}

function applyPatch(doc: Value, ops: Value[]): Value {
  let cur = doc;
  for (const o of ops) {
    if (!(o instanceof RObject)) throw new PatchFailure("patch element is not an object");
    const op = patchAttr(o, "op");
    if (typeof op !== "string") throw new PatchFailure("attribute 'op' must be a string");
    if (!["add", "remove", "replace", "move", "copy", "test"].includes(op)) {
      throw new PatchFailure(`unrecognized op '${op}'`);
    }
    const path = patchPath(patchAttr(o, "path"));
    const from = op === "move" || op === "copy" ? patchPath(patchAttr(o, "from")) : [];
    const value = op === "add" || op === "replace" || op === "test" ? patchAttr(o, "value") : null;
    switch (op) {
      case "add":
        cur = insertAt(cur, path, value);
        break;
      case "remove":
        cur = deleteAt(cur, path);
        break;
      case "replace":
        cur = path.length === 0 ? value : insertAt(deleteAt(cur, path), path, value);
        break;
      case "move": {
        const chunk = getAt(cur, from);
        cur = insertAt(from.length === 0 ? cur : deleteAt(cur, from), path, chunk);
        break;
      }
      case "copy":
        cur = insertAt(cur, path, getAt(cur, from));
        break;
      case "test":
        if (!equal(getAt(cur, path), value)) throw new PatchFailure("test failed");
        break;
    }
  }
  return cur;
}

export const builtins = defineAll([
  {
    name: "object.get",
    arity: 3,
    args: [["object"], ["any"], ["any"]],
    impl: ([obj, key, dflt]) => {
      const o = objectArg("object.get", 1, obj);
      if (!Array.isArray(key)) return o.get(key) ?? dflt;
      if (key.length === 0) return o;
      let cur: Value = o;
      for (const seg of key) {
        const next = childOf(cur, seg);
        if (next === undefined) return dflt;
        cur = next;
      }
      return cur;
    },
  },
  {
    name: "object.keys",
    arity: 1,
    args: [["object"]],
    impl: ([obj]) => new RSet(objectArg("object.keys", 1, obj).keys()),
  },
  {
    name: "object.union",
    arity: 2,
    args: [["object"], ["object"]],
    impl: ([a, b]) =>
      mergeWithOverwrite(objectArg("object.union", 1, a), objectArg("object.union", 2, b)),
  },
  {
    name: "object.union_n",
    arity: 1,
    args: [["array"]],
    impl: ([arr]) => {
      if (!Array.isArray(arr)) throw operandError("object.union_n", 1, "array", arr);
      let out = new RObject();
      for (const e of arr) {
        if (!(e instanceof RObject)) {
          throw new BuiltinTypeError(
            `object.union_n: operand 1 must be array of objects but got array containing ${typeName(e)}`,
          );
        }
        out = mergeWithOverwrite(out, e);
      }
      return out;
    },
  },
  {
    name: "object.remove",
    arity: 2,
    args: [["object"], ["object", "set", "array"]],
    impl: ([obj, keys]) => selectKeys("object.remove", obj, keys, false),
  },
  {
    name: "object.filter",
    arity: 2,
    args: [["object"], ["object", "set", "array"]],
    impl: ([obj, keys]) => selectKeys("object.filter", obj, keys, true),
  },
  {
    name: "object.subset",
    arity: 2,
    args: [
      ["object", "set", "array"],
      ["object", "set", "array"],
    ],
    impl: ([sup, sub]) => {
      if (sup instanceof RObject && sub instanceof RObject) return objectSubset(sup, sub);
      if (sup instanceof RSet && sub instanceof RSet) return setSubset(sup, sub);
      if (Array.isArray(sup) && Array.isArray(sub)) return arraySubset(sup, sub);
      if (Array.isArray(sup) && sub instanceof RSet) return arraySetSubset(sup, sub);
      throw new BuiltinTypeError(
        "object.subset: both arguments object.subset must be of the same type or array and set",
      );
    },
  },
  {
    name: "json.filter",
    arity: 2,
    args: [["object"], ["set", "array"]],
    impl: ([obj, paths]) => {
      const o = objectArg("json.filter", 1, obj);
      return filterValue(o, pathsToTree(jsonPaths("json.filter", paths)));
    },
  },
  {
    name: "json.remove",
    arity: 2,
    args: [["object"], ["set", "array"]],
    impl: ([obj, paths]) => {
      const o = objectArg("json.remove", 1, obj);
      return removeByTree(o, pathsToTree(jsonPaths("json.remove", paths)));
    },
  },
  {
    name: "json.patch",
    arity: 2,
    args: [["any"], ["array"]],
    impl: ([doc, ops]) => {
      if (!Array.isArray(ops)) throw operandError("json.patch", 2, "array", ops);
      try {
        return applyPatch(doc, ops);
      } catch (e) {
        // OPA: a patch that cannot be applied makes the call undefined, never an error.
        if (e instanceof PatchFailure) return undefined;
        throw e;
      }
    },
  },
]);
