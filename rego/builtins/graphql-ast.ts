/**
 * GraphQL documents in the shape OPA's graphql.* built-ins return: OPA parses with gqlparser and
 * hands back gqlparser's Go AST structs as JSON (capitalised field names, `Kind` as gqlparser's
 * enum, named types as plain strings), with positions, nulls and empty lists/objects pruned.
 * The parser here is graphql-js; this module maps its AST to that shape (`toGqlQuery`,
 * `toGqlSchema`) and prints such an object back to GraphQL text (`printGqlQuery`,
 * `printGqlSchema`) so an AST passed in as an object can be validated like a string.
 *
 * Only the node kinds graphql-js produces are handled; the interfaces below describe just the
 * fields read here (graphql is loaded lazily, so its types are not imported).
 */

/** A graphql-js AST node, loosely: every node has a `kind`; the fields used are optional. */
export interface GNode {
  readonly kind: string;
  readonly [field: string]: unknown;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

// gqlparser's ValueKind enum (an int in its JSON).
const VALUE_KIND: Record<string, number> = {
  Variable: 0,
  IntValue: 1,
  FloatValue: 2,
  StringValue: 3,
  BlockValue: 4,
  BooleanValue: 5,
  NullValue: 6,
  EnumValue: 7,
  ListValue: 8,
  ObjectValue: 9,
};

const nodes = (x: unknown): GNode[] => (Array.isArray(x) ? (x as GNode[]) : []);
const nameOf = (n: unknown): string => ((n as GNode | undefined)?.value as string) ?? "";
const descOf = (n: GNode): string => nameOf(n.description);

function typeRef(t: GNode): Json {
  if (t.kind === "NonNullType") {
    const inner = typeRef(t.type as GNode) as { [k: string]: Json };
    return { ...inner, NonNull: true };
  }
  if (t.kind === "ListType")
    return { NamedType: "", Elem: typeRef(t.type as GNode), NonNull: false };
  return { NamedType: nameOf(t.name), NonNull: false };
}

function value(v: GNode | undefined): Json {
  if (!v) return null;
  const base = (raw: string, kind: string, children: Json[] | null): Json => ({
    Raw: raw,
    Children: children,
    Kind: VALUE_KIND[kind],
    ExpectedTypeHasDefault: false,
  });
  switch (v.kind) {
    case "Variable":
      return base(nameOf(v.name), "Variable", null);
    case "IntValue":
    case "FloatValue":
    case "EnumValue":
      return base(String(v.value), v.kind, null);
    case "StringValue":
      return base(String(v.value), v.block ? "BlockValue" : "StringValue", null);
    case "BooleanValue":
      return base(v.value ? "true" : "false", "BooleanValue", null);
    case "NullValue":
      return base("null", "NullValue", null);
    case "ListValue":
      return base(
        "",
        "ListValue",
        nodes(v.values).map((c) => ({ Name: "", Value: value(c) })),
      );
    case "ObjectValue":
      return base(
        "",
        "ObjectValue",
        nodes(v.fields).map((f) => ({ Name: nameOf(f.name), Value: value(f.value as GNode) })),
      );
  }
  throw new Error(`unsupported GraphQL value kind ${v.kind}`);
}

const args = (list: unknown): Json[] =>
  nodes(list).map((a) => ({ Name: nameOf(a.name), Value: value(a.value as GNode) }));

const directives = (list: unknown): Json[] =>
  nodes(list).map((d) => ({ Name: nameOf(d.name), Arguments: args(d.arguments), Location: "" }));

function selections(set: unknown): Json[] {
  return nodes((set as GNode | undefined)?.selections).map((s): Json => {
    if (s.kind === "Field")
      return {
        Alias: nameOf(s.alias) || nameOf(s.name),
        Name: nameOf(s.name),
        Arguments: args(s.arguments),
        Directives: directives(s.directives),
        SelectionSet: selections(s.selectionSet),
      };
    if (s.kind === "FragmentSpread")
      return { Name: nameOf(s.name), Directives: directives(s.directives) };
    return {
      TypeCondition: nameOf((s.typeCondition as GNode | undefined)?.name),
      Directives: directives(s.directives),
      SelectionSet: selections(s.selectionSet),
    };
  });
}

const variableDefs = (list: unknown): Json[] =>
  nodes(list).map((v) => ({
    Variable: nameOf((v.variable as GNode).name),
    Type: typeRef(v.type as GNode),
    DefaultValue: value(v.defaultValue as GNode | undefined),
    Directives: directives(v.directives),
    Used: false,
  }));

/** gqlparser's QueryDocument for a parsed executable document (not yet pruned). */
export function toGqlQuery(doc: GNode): Json {
  const operations: Json[] = [];
  const fragments: Json[] = [];
  for (const d of nodes(doc.definitions)) {
    if (d.kind === "OperationDefinition")
      operations.push({
        Operation: String(d.operation),
        Name: nameOf(d.name),
        VariableDefinitions: variableDefs(d.variableDefinitions),
        Directives: directives(d.directives),
        SelectionSet: selections(d.selectionSet),
      });
    else if (d.kind === "FragmentDefinition")
      fragments.push({
        Name: nameOf(d.name),
        VariableDefinition: variableDefs(d.variableDefinitions),
        TypeCondition: nameOf((d.typeCondition as GNode).name),
        Directives: directives(d.directives),
        SelectionSet: selections(d.selectionSet),
      });
  }
  return { Operations: operations, Fragments: fragments };
}

const inputValue = (a: GNode): Json => ({
  Description: descOf(a),
  Name: nameOf(a.name),
  DefaultValue: value(a.defaultValue as GNode | undefined),
  Type: typeRef(a.type as GNode),
  Directives: directives(a.directives),
});

const TYPE_KIND: Record<string, string> = {
  ScalarType: "SCALAR",
  ObjectType: "OBJECT",
  InterfaceType: "INTERFACE",
  UnionType: "UNION",
  EnumType: "ENUM",
  InputObjectType: "INPUT_OBJECT",
};

function typeDefinition(d: GNode, kind: string): Json {
  const fields =
    kind === "INPUT_OBJECT"
      ? nodes(d.fields).map(inputValue)
      : nodes(d.fields).map((f) => ({
          Description: descOf(f),
          Name: nameOf(f.name),
          Arguments: nodes(f.arguments).map(inputValue),
          Type: typeRef(f.type as GNode),
          Directives: directives(f.directives),
        }));
  return {
    Kind: kind,
    Description: descOf(d),
    Name: nameOf(d.name),
    Directives: directives(d.directives),
    Interfaces: nodes(d.interfaces).map((i) => nameOf(i.name)),
    Fields: fields,
    Types: nodes(d.types).map((t) => nameOf(t.name)),
    EnumValues: nodes(d.values).map((v) => ({
      Description: descOf(v),
      Name: nameOf(v.name),
      Directives: directives(v.directives),
    })),
    BuiltIn: false,
  };
}

const schemaDefinition = (d: GNode): Json => ({
  Description: descOf(d),
  Directives: directives(d.directives),
  OperationTypes: nodes(d.operationTypes).map((o) => ({
    Operation: String(o.operation),
    Type: nameOf((o.type as GNode).name),
  })),
});

/** gqlparser's SchemaDocument for a parsed type-system document (not yet pruned). */
export function toGqlSchema(doc: GNode): Json {
  const out = {
    Schema: [] as Json[],
    SchemaExtension: [] as Json[],
    Directives: [] as Json[],
    Definitions: [] as Json[],
    Extensions: [] as Json[],
  };
  for (const d of nodes(doc.definitions)) {
    const m = /^(\w+?)(Definition|Extension)$/.exec(d.kind);
    if (d.kind === "SchemaDefinition") out.Schema.push(schemaDefinition(d));
    else if (d.kind === "SchemaExtension") out.SchemaExtension.push(schemaDefinition(d));
    else if (d.kind === "DirectiveDefinition")
      out.Directives.push({
        Description: descOf(d),
        Name: nameOf(d.name),
        Arguments: nodes(d.arguments).map(inputValue),
        Locations: nodes(d.locations).map((l) => nameOf(l)),
        IsRepeatable: d.repeatable === true,
      });
    else if (m && TYPE_KIND[m[1]]) {
      const def = typeDefinition(d, TYPE_KIND[m[1]]);
      (m[2] === "Definition" ? out.Definitions : out.Extensions).push(def);
    }
  }
  return out;
}

/**
 * OPA's pruning of gqlparser output: drop `Position`, nulls, and lists/objects left empty after
 * pruning (empty strings and `false` stay, so `"Name": ""` marks an anonymous operation).
 */
export function prune(x: Json): Json {
  if (Array.isArray(x)) {
    const out: Json[] = [];
    for (const v of x) {
      if (v === null) continue;
      const p = prune(v);
      if (typeof p === "object" && p !== null && Object.keys(p).length === 0) continue;
      out.push(p);
    }
    return out;
  }
  if (typeof x === "object" && x !== null) {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(x)) {
      if (k === "Position" || v === null) continue;
      const p = prune(v);
      if (typeof p === "object" && p !== null && Object.keys(p).length === 0) continue;
      out[k] = p;
    }
    return out;
  }
  return x;
}

// ---- printing gqlparser-shaped objects back to GraphQL text ----------------------------------

/** Thrown when an object passed as a GraphQL AST is not one gqlparser's JSON could describe. */
export class GqlShapeError extends Error {}

type Obj = { readonly [k: string]: unknown };
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);
const list = (x: unknown, what: string): Obj[] => {
  if (x === undefined || x === null) return [];
  if (!Array.isArray(x) || !x.every(isObj))
    throw new GqlShapeError(`${what} must be a list of objects`);
  return x as Obj[];
};
const str = (x: unknown, what: string): string => {
  if (x === undefined || x === null) return "";
  if (typeof x !== "string") throw new GqlShapeError(`${what} must be a string`);
  return x;
};
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const name = (x: unknown, what: string): string => {
  const s = str(x, what);
  if (!NAME.test(s))
    throw new GqlShapeError(`${what} must be a GraphQL name, got ${JSON.stringify(s)}`);
  return s;
};
const quote = (s: string): string => JSON.stringify(s);

function printType(t: unknown): string {
  if (!isObj(t)) throw new GqlShapeError("Type must be an object");
  const inner =
    t.Elem !== undefined && t.Elem !== null
      ? `[${printType(t.Elem)}]`
      : name(t.NamedType, "NamedType");
  return t.NonNull === true ? inner + "!" : inner;
}

function printValue(v: unknown): string {
  if (!isObj(v)) throw new GqlShapeError("Value must be an object");
  const raw = str(v.Raw, "Value.Raw");
  const children = list(v.Children, "Value.Children");
  switch (v.Kind ?? 0) {
    case 0:
      return "$" + name(raw, "variable name");
    case 1:
    case 2:
      if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(raw))
        throw new GqlShapeError(`bad number ${quote(raw)}`);
      return raw;
    case 3:
    case 4:
      return quote(raw);
    case 5:
      if (raw !== "true" && raw !== "false") throw new GqlShapeError(`bad boolean ${quote(raw)}`);
      return raw;
    case 6:
      return "null";
    case 7:
      return name(raw, "enum value");
    case 8:
      return `[${children.map((c) => printValue(c.Value)).join(", ")}]`;
    case 9:
      return `{${children.map((c) => `${name(c.Name, "field name")}: ${printValue(c.Value)}`).join(", ")}}`;
  }
  throw new GqlShapeError(`unknown Value.Kind ${JSON.stringify(v.Kind)}`);
}

const printArgs = (x: unknown): string => {
  const as = list(x, "Arguments");
  return as.length
    ? `(${as.map((a) => `${name(a.Name, "argument name")}: ${printValue(a.Value)}`).join(", ")})`
    : "";
};
const printDirectives = (x: unknown): string =>
  list(x, "Directives")
    .map((d) => ` @${name(d.Name, "directive name")}${printArgs(d.Arguments)}`)
    .join("");

function printSelections(x: unknown): string {
  const sels = list(x, "SelectionSet");
  if (sels.length === 0) return "";
  const parts = sels.map((s) => {
    const isField = "Alias" in s || "Arguments" in s || ("Name" in s && "SelectionSet" in s);
    if (isField) {
      const n = name(s.Name, "field name");
      const alias = str(s.Alias, "Alias");
      const prefix = alias && alias !== n ? `${name(alias, "alias")}: ` : "";
      return `${prefix}${n}${printArgs(s.Arguments)}${printDirectives(s.Directives)}${printSelections(s.SelectionSet)}`;
    }
    if ("Name" in s) return `...${name(s.Name, "fragment name")}${printDirectives(s.Directives)}`;
    const on = str(s.TypeCondition, "TypeCondition");
    return `...${on ? ` on ${name(on, "type condition")}` : ""}${printDirectives(s.Directives)}${printSelections(s.SelectionSet)}`;
  });
  return ` { ${parts.join(" ")} }`;
}

function printVariables(x: unknown): string {
  const vs = list(x, "VariableDefinitions");
  if (vs.length === 0) return "";
  const parts = vs.map((v) => {
    const dflt = v.DefaultValue ? ` = ${printValue(v.DefaultValue)}` : "";
    return `$${name(v.Variable, "variable name")}: ${printType(v.Type)}${dflt}${printDirectives(v.Directives)}`;
  });
  return `(${parts.join(", ")})`;
}

/** GraphQL text for a gqlparser-shaped QueryDocument object. */
export function printGqlQuery(doc: unknown): string {
  if (!isObj(doc)) throw new GqlShapeError("query document must be an object");
  const out: string[] = [];
  for (const op of list(doc.Operations, "Operations")) {
    const kind = str(op.Operation, "Operation") || "query";
    if (!["query", "mutation", "subscription"].includes(kind))
      throw new GqlShapeError(`unknown Operation ${quote(kind)}`);
    const n = str(op.Name, "Name");
    out.push(
      `${kind}${n ? " " + name(n, "operation name") : ""}${printVariables(op.VariableDefinitions)}${printDirectives(op.Directives)}${printSelections(op.SelectionSet)}`,
    );
  }
  for (const f of list(doc.Fragments, "Fragments"))
    out.push(
      `fragment ${name(f.Name, "fragment name")} on ${name(f.TypeCondition, "TypeCondition")}${printDirectives(f.Directives)}${printSelections(f.SelectionSet)}`,
    );
  return out.join("\n");
}

const printDesc = (x: unknown): string => {
  const d = str(x, "Description");
  return d ? quote(d) + " " : "";
};
const printInputValues = (x: unknown, what: string): string => {
  const as = list(x, what);
  return as.length
    ? `(${as
        .map(
          (a) =>
            `${printDesc(a.Description)}${name(a.Name, "argument name")}: ${printType(a.Type)}${a.DefaultValue ? ` = ${printValue(a.DefaultValue)}` : ""}${printDirectives(a.Directives)}`,
        )
        .join(", ")})`
    : "";
};

function printDefinition(d: Obj, extend: boolean): string {
  const kind = str(d.Kind, "Kind");
  const n = name(d.Name, "type name");
  const head = `${extend ? "extend " : printDesc(d.Description)}`;
  const dirs = printDirectives(d.Directives);
  const fields = list(d.Fields, "Fields");
  const body = (kw: string, withArgs: boolean) => {
    const impl =
      Array.isArray(d.Interfaces) && d.Interfaces.length
        ? ` implements ${(d.Interfaces as unknown[]).map((i) => name(i, "interface name")).join(" & ")}`
        : "";
    const fs = fields.map(
      (f) =>
        `${printDesc(f.Description)}${name(f.Name, "field name")}${withArgs ? printInputValues(f.Arguments, "Arguments") : ""}: ${printType(f.Type)}${!withArgs && f.DefaultValue ? ` = ${printValue(f.DefaultValue)}` : ""}${printDirectives(f.Directives)}`,
    );
    return `${head}${kw} ${n}${impl}${dirs}${fs.length ? ` { ${fs.join(" ")} }` : ""}`;
  };
  switch (kind) {
    case "SCALAR":
      return `${head}scalar ${n}${dirs}`;
    case "OBJECT":
      return body("type", true);
    case "INTERFACE":
      return body("interface", true);
    case "INPUT_OBJECT":
      return body("input", false);
    case "UNION": {
      const ts = Array.isArray(d.Types)
        ? (d.Types as unknown[]).map((t) => name(t, "union member"))
        : [];
      return `${head}union ${n}${dirs}${ts.length ? ` = ${ts.join(" | ")}` : ""}`;
    }
    case "ENUM": {
      const vs = list(d.EnumValues, "EnumValues").map(
        (v) =>
          `${printDesc(v.Description)}${name(v.Name, "enum value")}${printDirectives(v.Directives)}`,
      );
      return `${head}enum ${n}${dirs}${vs.length ? ` { ${vs.join(" ")} }` : ""}`;
    }
  }
  throw new GqlShapeError(`unknown definition Kind ${quote(kind)}`);
}

function printSchemaDef(s: Obj, extend: boolean): string {
  const ops = list(s.OperationTypes, "OperationTypes").map(
    (o) => `${str(o.Operation, "Operation")}: ${name(o.Type, "operation type")}`,
  );
  const head = extend ? "extend schema" : `${printDesc(s.Description)}schema`;
  return `${head}${printDirectives(s.Directives)}${ops.length ? ` { ${ops.join(" ")} }` : ""}`;
}

/** GraphQL SDL for a gqlparser-shaped SchemaDocument object. */
export function printGqlSchema(doc: unknown): string {
  if (!isObj(doc)) throw new GqlShapeError("schema document must be an object");
  const out: string[] = [];
  for (const s of list(doc.Schema, "Schema")) out.push(printSchemaDef(s, false));
  for (const s of list(doc.SchemaExtension, "SchemaExtension")) out.push(printSchemaDef(s, true));
  for (const d of list(doc.Directives, "Directives")) {
    const locs = Array.isArray(d.Locations)
      ? (d.Locations as unknown[]).map((l) => name(l, "directive location"))
      : [];
    out.push(
      `${printDesc(d.Description)}directive @${name(d.Name, "directive name")}${printInputValues(d.Arguments, "Arguments")}${d.IsRepeatable === true ? " repeatable" : ""} on ${locs.join(" | ")}`,
    );
  }
  for (const d of list(doc.Definitions, "Definitions")) out.push(printDefinition(d, false));
  for (const d of list(doc.Extensions, "Extensions")) out.push(printDefinition(d, true));
  return out.join("\n");
}
