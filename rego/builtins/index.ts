/**
 * The built-in registry: one file per family, merged here. The evaluator looks names up in
 * `BUILTINS`; a name missing here is a compile error (`rego_type_error: undefined function`).
 *
 * Families load on first use: `BUILTINS[name]` reads the family file that defines `name` (see
 * ./names.ts) the first time any of its names is looked up. The compiler looks up exactly the
 * names a program calls, so a CLI start reads the few families its policies use instead of all
 * 27 (about 300 KB of JavaScript). Enumerating the registry (`Object.keys`, `in`) reads no family;
 * taking every value (`Object.values`, a spread) reads them all.
 */
import type { BuiltinDef } from "./types";
import { FAMILY_NAMES, type FamilyName } from "./names";

export { FAMILY_NAMES, type FamilyName } from "./names";

type Family = Readonly<Record<string, BuiltinDef>>;

const loaded = new Map<FamilyName, Family>();

/**
 * Supplies families already imported, so they are never `require`d by path. The test runner
 * uses it (it runs the TypeScript sources, which Node's `require` cannot read); a bundler could
 * use it too.
 */
export function provideFamilies(families: Partial<Record<FamilyName, Family>>): void {
  for (const name of Object.keys(families) as FamilyName[]) loaded.set(name, families[name]!);
}

function family(name: FamilyName): Family {
  let f = loaded.get(name);
  if (f === undefined) {
    // one file per family, next to this one, each exporting `builtins`
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    f = (require(`./${name}`) as { builtins: Family }).builtins;
    loaded.set(name, f);
  }
  return f;
}

/** Each family's built-ins, under the name of the file that defines them (read on access). */
export const FAMILIES: { readonly [F in FamilyName]: Family } = Object.freeze(
  Object.defineProperties(
    {},
    Object.fromEntries(
      (Object.keys(FAMILY_NAMES) as FamilyName[]).map((name) => [
        name,
        { enumerable: true, get: () => family(name) },
      ]),
    ),
  ) as { readonly [F in FamilyName]: Family },
);

/** The built-ins of the named families, merged in the order given. */
export function builtinsOf(...families: readonly FamilyName[]): Record<string, BuiltinDef> {
  const merged: Record<string, BuiltinDef> = {};
  for (const name of families) Object.assign(merged, family(name));
  return merged;
}

/** Every built-in by name; a name's family file is read when the name is first looked up. */
export const BUILTINS: Readonly<Record<string, BuiltinDef>> = Object.freeze(
  Object.defineProperties(
    {},
    Object.fromEntries(
      (Object.entries(FAMILY_NAMES) as [FamilyName, readonly string[]][]).flatMap(([fam, names]) =>
        names.map((n) => [n, { enumerable: true, get: () => family(fam)[n] }]),
      ),
    ),
  ) as Record<string, BuiltinDef>,
);
