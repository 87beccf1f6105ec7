/**
 * json.verify_schema / json.match_schema. Validation runs on Ajv (draft-07 rules, RE2 for
 * "pattern" so policy- or input-supplied patterns match in linear time); results and messages
 * are reshaped into what OPA's gojsonschema reports: {error, type, field, desc} objects.
 */
import type AjvClass from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import { BuiltinError, defineAll } from "./types";
import { RObject, toJS, type Value } from "../value";
import { parseJSON } from "./encoding";
import { _internal as netInternal } from "./net";
import { _internal as timeInternal } from "./time";
import { RE2 } from "./regex";

const EMPTY_ENUM = "x-opa-empty-enum";

/** RE2-backed RegExp stand-in for Ajv's `code.regExp` option (Go uses RE2 as well). */
function re2RegExp(pattern: string): { test: (s: string) => boolean } {
  const re = RE2().compile(pattern);
  return { test: (s: string) => re.matcher(s).find() };
}
re2RegExp.code = 'require("re2js").RE2JS';

// The formats gojsonschema checks by default, with the same notion of "valid" where it is Go's.
const FORMATS: Record<string, (s: string) => boolean> = {
  "date-time": (s) => parsesAs("2006-01-02T15:04:05Z07:00", s),
  date: (s) => parsesAs("2006-01-02", s),
  time: (s) => parsesAs("15:04:05Z07:00", s) || parsesAs("15:04:05", s),
  ipv4: (s) => netInternal.parseIP(s) !== null && s.includes("."),
  ipv6: (s) => netInternal.parseIP(s) !== null && s.includes(":"),
  email: (s) => /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/.test(s),
  hostname: (s) =>
    s.length <= 255 &&
    /^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])(\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]))*$/.test(
      s,
    ),
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  uri: (s) => /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/.test(s),
  "uri-reference": (s) => !/\s/.test(s),
  "json-pointer": (s) => /^(\/([^~/]|~[01])*)*$/.test(s),
  regex: (s) => {
    try {
      RE2().compile(s);
      return true;
    } catch {
      return false;
    }
  },
};

function parsesAs(layout: string, s: string): boolean {
  try {
    timeInternal.parseTime(layout, s);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ajv is loaded on the first schema built-in call: most policies never use one, and loading it
 * costs every CLI start (`check` must start fast).
 */
let ajvInstance: AjvClass | undefined;
function getAjv(): AjvClass {
  if (ajvInstance) return ajvInstance;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = (require("ajv") as { default: typeof AjvClass }).default;
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    validateSchema: false,
    logger: false,
    code: { regExp: re2RegExp as never },
  });
  ajv.addKeyword({
    keyword: EMPTY_ENUM,
    schemaType: "boolean",
    errors: true,
    validate: function emptyEnum(this: unknown) {
      (emptyEnum as unknown as { errors: unknown[] }).errors = [
        { keyword: EMPTY_ENUM, params: {} },
      ];
      return false;
    },
  });
  for (const [name, validate] of Object.entries(FORMATS)) {
    ajv.addFormat(name, { type: "string", validate });
  }
  ajvInstance = ajv;
  return ajv;
}

/** Plain JSON-able JS; big integers become JS numbers (validation only compares magnitudes). */
function plain(x: unknown): unknown {
  if (typeof x === "bigint") return Number(x);
  if (Array.isArray(x)) return x.map(plain);
  if (x !== null && typeof x === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) out[k] = plain(v);
    return out;
  }
  return x;
}

/** OPA's loader: a JSON string (must be valid JSON) or an object/array value. */
function load(v: Value): unknown {
  if (typeof v === "string") {
    let parsed: Value;
    try {
      parsed = parseJSON(v);
    } catch {
      throw new Error("invalid JSON string");
    }
    return plain(toJS(parsed));
  }
  if (v instanceof RObject || Array.isArray(v)) return plain(toJS(v));
  throw new Error("wrong type, expected string or object");
}

const SUBSCHEMA_MAPS = ["properties", "patternProperties", "definitions", "$defs", "dependencies"];
const SUBSCHEMA_ONE = [
  "additionalItems",
  "additionalProperties",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
];
const SUBSCHEMA_LISTS = ["allOf", "anyOf", "oneOf"];

/** Apply `fn` to every (sub)schema object, rebuilding the tree. */
function mapSchemas(
  s: unknown,
  fn: (o: Record<string, unknown>) => Record<string, unknown>,
): unknown {
  if (s === null || typeof s !== "object" || Array.isArray(s)) return s;
  const o = { ...(s as Record<string, unknown>) };
  for (const k of SUBSCHEMA_MAPS) {
    const m = o[k];
    if (m !== null && typeof m === "object" && !Array.isArray(m)) {
      o[k] = Object.fromEntries(
        Object.entries(m as Record<string, unknown>).map(([kk, vv]) => [
          kk,
          Array.isArray(vv) ? vv : mapSchemas(vv, fn),
        ]),
      );
    }
  }
  for (const k of SUBSCHEMA_ONE) if (k in o) o[k] = mapSchemas(o[k], fn);
  for (const k of SUBSCHEMA_LISTS) {
    if (Array.isArray(o[k])) o[k] = (o[k] as unknown[]).map((x) => mapSchemas(x, fn));
  }
  if (Array.isArray(o.items)) o.items = o.items.map((x) => mapSchemas(x, fn));
  else if ("items" in o) o.items = mapSchemas(o.items, fn);
  return fn(o);
}

const PRIMITIVE_TYPES = ["array", "boolean", "integer", "number", "null", "object", "string"];

/** Schema errors gojsonschema reports in its own words; the rest come from Ajv's meta-schema. */
function checkSchema(schema: unknown): void {
  mapSchemas(schema, (o) => {
    const types = typeof o.type === "string" ? [o.type] : Array.isArray(o.type) ? o.type : [];
    for (const t of types) {
      if (typeof t === "string" && !PRIMITIVE_TYPES.includes(t)) {
        throw new Error(
          `has a primitive type that is NOT VALID -- given: /${t}/ Expected valid values are:[${PRIMITIVE_TYPES.join(" ")}]`,
        );
      }
    }
    return o;
  });
  if (typeof schema !== "boolean" && (schema === null || typeof schema !== "object")) {
    throw new Error("schema is invalid");
  }
  const prepared = prepare(schema);
  if (!getAjv().validateSchema(prepared as object)) {
    const e = (getAjv().errors ?? [])[0];
    if (e) throw new Error(`${e.instancePath || "(root)"} ${e.message ?? "is invalid"}`.trim());
  }
}

/** Draft-04/06 `$schema` ids are dropped (Ajv here speaks draft-07); empty enums made explicit. */
function prepare(schema: unknown): unknown {
  return mapSchemas(schema, (o) => {
    const out = { ...o };
    if (typeof out.$schema === "string" && !out.$schema.includes("draft-07")) delete out.$schema;
    if (Array.isArray(out.enum) && out.enum.length === 0) {
      delete out.enum;
      out[EMPTY_ENUM] = true;
    }
    // Draft-04 spelling (gojsonschema accepts every draft): a boolean that moves the bound.
    for (const [flag, bound] of [
      ["exclusiveMaximum", "maximum"],
      ["exclusiveMinimum", "minimum"],
    ] as const) {
      if (typeof out[flag] === "boolean") {
        if (out[flag] === true && typeof out[bound] === "number") {
          out[flag] = out[bound];
          delete out[bound];
        } else {
          delete out[flag];
        }
      }
    }
    return out;
  });
}

const compiled = new Map<string, ValidateFunction>();

function compile(schema: unknown): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit) return hit;
  checkSchema(schema);
  let fn: ValidateFunction;
  try {
    fn = getAjv().compile(prepare(schema) as object);
  } catch (e) {
    throw new Error((e as Error).message, { cause: e });
  }
  if (compiled.size > 256) compiled.clear();
  compiled.set(key, fn);
  return fn;
}

function fieldOf(instancePath: string): string {
  if (instancePath === "") return "(root)";
  return instancePath
    .slice(1)
    .split("/")
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
    .join(".");
}

function valueAt(doc: unknown, instancePath: string): unknown {
  if (instancePath === "") return doc;
  let cur = doc;
  for (const raw of instancePath.slice(1).split("/")) {
    const p = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    cur = (cur as Record<string, unknown>)?.[p];
  }
  return cur;
}

function jsonTypeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

interface GoError {
  type: string;
  desc: string;
}

function describe(e: ErrorObject, field: string, doc: unknown): GoError {
  const p = e.params as Record<string, unknown>;
  const json = (x: unknown): string => JSON.stringify(x);
  switch (e.keyword) {
    case "type": {
      const t = Array.isArray(p.type) ? (p.type as string[]).join("/") : String(p.type);
      return {
        type: "invalid_type",
        desc: `Invalid type. Expected: ${t}, given: ${jsonTypeName(valueAt(doc, e.instancePath))}`,
      };
    }
    case "required":
      return { type: "required", desc: `${String(p.missingProperty)} is required` };
    case "additionalProperties":
      return {
        type: "additional_property_not_allowed",
        desc: `Additional property ${String(p.additionalProperty)} is not allowed`,
      };
    case "enum":
      return {
        type: "enum",
        desc: `${field} must be one of the following: ${(p.allowedValues as unknown[]).map(json).join(", ")}`,
      };
    case EMPTY_ENUM:
      return { type: "enum", desc: `${field} must be one of the following: ` };
    case "const":
      return { type: "const", desc: `${field} does not match: ${json(p.allowedValue)}` };
    case "minimum":
      return { type: "number_gte", desc: `Must be greater than or equal to ${String(p.limit)}` };
    case "exclusiveMinimum":
      return { type: "number_gt", desc: `Must be greater than ${String(p.limit)}` };
    case "maximum":
      return { type: "number_lte", desc: `Must be less than or equal to ${String(p.limit)}` };
    case "exclusiveMaximum":
      return { type: "number_lt", desc: `Must be less than ${String(p.limit)}` };
    case "multipleOf":
      return { type: "multiple_of", desc: `Must be a multiple of ${String(p.multipleOf)}` };
    case "minLength":
      return {
        type: "string_gte",
        desc: `String length must be greater than or equal to ${String(p.limit)}`,
      };
    case "maxLength":
      return {
        type: "string_lte",
        desc: `String length must be less than or equal to ${String(p.limit)}`,
      };
    case "pattern":
      return { type: "pattern", desc: `Does not match pattern '${String(p.pattern)}'` };
    case "format":
      return { type: "format", desc: `Does not match format '${String(p.format)}'` };
    case "minItems":
      return { type: "array_min_items", desc: `Array must have at least ${String(p.limit)} items` };
    case "maxItems":
      return { type: "array_max_items", desc: `Array must have at most ${String(p.limit)} items` };
    case "uniqueItems": {
      const [i, j] = [Number(p.i), Number(p.j)].sort((a, b) => a - b);
      return { type: "unique", desc: `array items[${i},${j}] must be unique` };
    }
    case "minProperties":
      return {
        type: "array_min_properties",
        desc: `Must have at least ${String(p.limit)} properties`,
      };
    case "maxProperties":
      return {
        type: "array_max_properties",
        desc: `Must have at most ${String(p.limit)} properties`,
      };
    case "anyOf":
      return { type: "number_any_of", desc: "Must validate at least one schema (anyOf)" };
    case "oneOf":
      return { type: "number_one_of", desc: "Must validate one and only one schema (oneOf)" };
    case "not":
      return { type: "number_not", desc: "Must not validate the schema (not)" };
    case "dependencies":
    case "dependentRequired":
      return { type: "missing_dependency", desc: `Has a dependency on ${String(p.property)}` };
    case "contains":
      return { type: "contains", desc: "At least one of the items must match" };
    case "if":
      return p.failingKeyword === "then"
        ? { type: "condition_then", desc: 'Must validate "then" as "if" was valid' }
        : { type: "condition_else", desc: 'Must validate "else" as "if" was not valid' };
    case "additionalItems":
      return { type: "array_no_additional_items", desc: "No additional items allowed on array" };
    case "propertyNames":
      return {
        type: "invalid_property_name",
        desc: `Property name of "${String(p.propertyName)}" does not match`,
      };
    case "false schema":
      return { type: "false", desc: "False always fails validation" };
    default:
      return { type: e.keyword, desc: e.message ?? "is invalid" };
  }
}

function validate(doc: unknown, schema: unknown): [boolean, Value[]] {
  const fn = compile(schema);
  if (fn(doc)) return [true, []];
  const errs = fn.errors ?? [];
  // gojsonschema reports one error for a failed anyOf/oneOf/propertyNames, not each branch's.
  const combinators = errs
    .filter((e) => ["anyOf", "oneOf", "propertyNames", "not", "if"].includes(e.keyword))
    .map((e) => e.schemaPath + "/");
  const kept = errs.filter((e) => !combinators.some((c) => e.schemaPath.startsWith(c)));
  return [
    false,
    kept.map((e) => {
      const field = fieldOf(e.instancePath);
      const { type, desc } = describe(e, field, doc);
      return RObject.fromRecord({ error: `${field}: ${desc}`, type, field, desc });
    }),
  ];
}

export const builtins = defineAll([
  {
    name: "json.verify_schema",
    arity: 1,
    args: [["string", "object"]],
    impl: ([schema]) => {
      try {
        compile(load(schema));
        return [true, null];
      } catch (e) {
        return [false, `jsonschema: ${(e as Error).message}`];
      }
    },
  },
  {
    name: "json.match_schema",
    arity: 2,
    args: [
      ["string", "object", "array"],
      ["string", "object", "array"],
    ],
    impl: ([document, schema]) => {
      try {
        const [ok, errors] = validate(load(document), load(schema));
        return [ok, errors];
      } catch (e) {
        throw new BuiltinError(`json.match_schema: ${(e as Error).message}`);
      }
    },
  },
]);
