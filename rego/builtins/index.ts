/**
 * The built-in registry: one file per family, merged here. The evaluator looks names up in
 * `BUILTINS`; a name missing here is a compile error (`rego_type_error: undefined function`).
 */
import type { BuiltinDef } from "./types";
import { builtins as core } from "./core";
import { builtins as strings } from "./strings";
import { builtins as regex } from "./regex";
import { builtins as glob } from "./glob";
import { builtins as numbers } from "./numbers";
import { builtins as aggregates } from "./aggregates";
import { builtins as arrays } from "./arrays";
import { builtins as sets } from "./sets";
import { builtins as typecheck } from "./typecheck";
import { builtins as units } from "./units";
import { builtins as objects } from "./objects";
import { builtins as encoding } from "./encoding";
import { builtins as time } from "./time";
import { builtins as semver } from "./semver";
import { builtins as net } from "./net";
import { builtins as uuid } from "./uuid";
import { builtins as jsonschema } from "./jsonschema";
import { builtins as graph } from "./graph";
import { builtins as crypto } from "./crypto";
import { builtins as rego } from "./rego";
import { builtins as template } from "./template";
import { builtins as deprecated } from "./deprecated";
import { builtins as x509 } from "./x509";
import { builtins as providers } from "./providers";
import { builtins as internal } from "./internal";
import { builtins as graphql } from "./graphql";
import { builtins as uri } from "./uri";

/** Each family's built-ins, under the name of the file that defines them. */
export const FAMILIES = {
  core,
  strings,
  regex,
  glob,
  numbers,
  aggregates,
  arrays,
  sets,
  typecheck,
  units,
  objects,
  encoding,
  time,
  semver,
  net,
  uuid,
  jsonschema,
  graph,
  crypto,
  rego,
  template,
  deprecated,
  x509,
  providers,
  internal,
  graphql,
  uri,
} as const satisfies Record<string, Readonly<Record<string, BuiltinDef>>>;

export type FamilyName = keyof typeof FAMILIES;

/** The built-ins of the named families, merged in the order given. */
export function builtinsOf(...families: readonly FamilyName[]): Record<string, BuiltinDef> {
  const merged: Record<string, BuiltinDef> = {};
  for (const name of families) Object.assign(merged, FAMILIES[name]);
  return merged;
}

export const BUILTINS: Readonly<Record<string, BuiltinDef>> = Object.freeze(
  builtinsOf(...(Object.keys(FAMILIES) as FamilyName[])),
);
