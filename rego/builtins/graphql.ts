/**
 * graphql.parse / parse_and_verify / parse_query / parse_schema / is_valid / schema_is_valid.
 *
 * OPA parses and validates with gqlparser, whose validator is a port of graphql-js's rules; this
 * engine uses graphql-js itself (the `graphql` package, v16, loaded on the first call so a CLI
 * start does not pay for it) and reshapes its AST into gqlparser's JSON (graphql-ast.ts).
 * Where the two libraries differ OPA's behaviour wins:
 *  - an empty (or comments-only) document parses to an empty document instead of failing;
 *  - a query document may not contain type definitions, a schema document no operations;
 *  - a schema without a query root type is valid (gqlparser merges in its prelude and does not
 *    require one), but an operation on a missing root type fails query validation.
 * Messages keep OPA's framing ("… in GraphQL string at location L:C"); the text inside is
 * graphql-js's, which follows the same spec wording but is not byte-identical to gqlparser's.
 */
import { BuiltinError, defineAll, operandError, type BuiltinDef } from "./types";
import { RObject, fromJS, toJS, type Value } from "../value";
import {
  GqlShapeError,
  printGqlQuery,
  printGqlSchema,
  prune,
  toGqlQuery,
  toGqlSchema,
  type GNode,
} from "./graphql-ast";

/** The slice of graphql-js used here (declared locally: the package is optional at build time). */
interface GraphQLLib {
  parse(source: string): GNode & { definitions: readonly GNode[] };
  Source: new (body: string) => unknown;
  Lexer: new (source: unknown) => { advance(): { kind: string } };
  buildASTSchema(doc: unknown, opts: { assumeValid?: boolean; assumeValidSDL?: boolean }): GSchema;
  validateSchema(schema: GSchema): readonly GError[];
  validate(schema: GSchema, doc: unknown): readonly GError[];
}
interface GSchema {
  getRootType(operation: string): unknown;
}
interface GError {
  readonly message: string;
  readonly locations?: readonly { line: number; column: number }[];
}

/** The npm package (name and major version) this family needs. */
export const GRAPHQL_PACKAGE = "graphql@16";

let lib: GraphQLLib | undefined;
function graphql(builtin: string): GraphQLLib {
  if (lib) return lib;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    lib = require("graphql") as GraphQLLib;
  } catch {
    throw new BuiltinError(
      `${builtin}: needs the npm package ${GRAPHQL_PACKAGE}, which is not installed`,
    );
  }
  return lib;
}

/** A parse or validation failure, already worded as OPA words it. */
class GqlFailure extends Error {}

const QUERY_ROOT_MISSING = "Query root type must be provided.";
const EXECUTABLE = new Set(["OperationDefinition", "FragmentDefinition"]);

function isGraphQLError(e: unknown): e is GError {
  return e instanceof Error && Array.isArray((e as GError).locations);
}

function where(e: GError): string {
  const loc = e.locations?.[0];
  return loc ? `${loc.line}:${loc.column}` : "0:0";
}

/** graphql-js syntax error → OPA's "<message> in GraphQL string at location L:C". */
function syntaxFailure(e: unknown): GqlFailure {
  if (!isGraphQLError(e)) return new GqlFailure(e instanceof Error ? e.message : String(e));
  // gqlparser prints punctuators bare (`found {`, `Unexpected ...`) where graphql-js quotes them,
  // and reports a variable in a constant value as the unexpected `$`
  const msg = e.message
    .replace(/^Syntax Error: /, "")
    .replace(/\.$/, "")
    .replace(/\b(found|Unexpected) "([!$&():=@[\]{|}]|\.\.\.)"/g, "$1 $2")
    .replace(/^Unexpected variable "\$[^"]*" in constant value$/, "Unexpected $");
  return new GqlFailure(`${msg} in GraphQL string at location ${where(e)}`);
}

const nameOfNode = (node: GNode): string => String((node.name as GNode | undefined)?.value ?? "");

function locOf(node: GNode): string {
  const loc = node.loc as { startToken?: { line: number; column: number } } | undefined;
  return loc?.startToken ? `${loc.startToken.line}:${loc.startToken.column}` : "0:0";
}

/** Describes a definition's first token the way gqlparser's "Unexpected …" errors do. */
function firstToken(node: GNode): string {
  const loc = node.loc as { startToken?: { kind: string; value?: string } } | undefined;
  const t = loc?.startToken;
  if (!t) return node.kind;
  return t.value !== undefined ? `${t.kind} ${JSON.stringify(t.value)}` : t.kind;
}

type Parsed =
  { readonly doc: GNode & { definitions: readonly GNode[] } } | { readonly empty: true };

function parseDocument(g: GraphQLLib, text: string, kind: "query" | "schema"): Parsed {
  try {
    // gqlparser accepts a document with no definitions; graphql-js reports "Unexpected <EOF>"
    if (new g.Lexer(new g.Source(text)).advance().kind === "<EOF>") return { empty: true };
    const doc = g.parse(text);
    for (const d of doc.definitions) {
      if (EXECUTABLE.has(d.kind) === (kind === "query")) continue;
      throw new GqlFailure(`Unexpected ${firstToken(d)} in GraphQL string at location ${locOf(d)}`);
    }
    return { doc };
  } catch (e) {
    if (e instanceof GqlFailure) throw e;
    throw syntaxFailure(e);
  }
}

/** A query argument: GraphQL text, or a gqlparser-shaped AST object printed back to text. */
function queryText(v: Value, name: string, pos: number): string {
  if (typeof v === "string") return v;
  if (v instanceof RObject) return fromShape(() => printGqlQuery(toJS(v)));
  throw operandError(name, pos, "one of {object, string}", v);
}

function schemaText(v: Value, name: string, pos: number): string {
  if (typeof v === "string") return v;
  if (v instanceof RObject) return fromShape(() => printGqlSchema(toJS(v)));
  throw operandError(name, pos, "one of {object, string}", v);
}

function fromShape(print: () => string): string {
  try {
    return print();
  } catch (e) {
    if (e instanceof GqlShapeError)
      throw new GqlFailure(`invalid GraphQL AST object: ${e.message}`);
    throw e;
  }
}

interface BuiltSchema {
  readonly parsed: Parsed;
  /** Built without schema validation, for validating queries against (undefined if invalid). */
  readonly forQueries?: GSchema;
  readonly error?: GqlFailure;
}

// Schemas are typically one large constant per policy, checked against many queries: keep the
// last few built ones (keyed by SDL text) instead of rebuilding them on every call.
const SCHEMA_CACHE_SIZE = 16;
const schemaCache = new Map<string, BuiltSchema>();

// gqlparser merges its prelude into every schema: the standard scalars and introspection types
// always exist and may not be declared again.
const STANDARD_SCALARS = ["Int", "Float", "String", "Boolean", "ID"];
const PRELUDE_TYPES = new Set([
  ...STANDARD_SCALARS,
  ...["Schema", "Type", "Field", "InputValue", "EnumValue", "TypeKind", "DirectiveLocation"].map(
    (t) => "__" + t,
  ),
  "__Directive",
]);
const scalarNode = (name: string) => ({
  kind: "ScalarTypeDefinition",
  name: { kind: "Name", value: name },
  directives: [],
});

/**
 * gqlparser lets `extend type X` stand for a type the schema never defines (the first extension
 * becomes its definition, e.g. `extend type Query` in a federated subgraph); graphql-js refuses to
 * extend an undefined type, so hand it the first such extension as a definition.
 */
function extensionsAsDefinitions(defs: readonly GNode[]): GNode[] {
  const defined = new Set<string>();
  for (const d of defs) if (d.kind.endsWith("TypeDefinition")) defined.add(nameOfNode(d));
  return defs.map((d) => {
    if (!d.kind.endsWith("TypeExtension")) return d;
    const name = nameOfNode(d);
    if (defined.has(name)) return d;
    defined.add(name);
    return { ...d, kind: d.kind.replace(/Extension$/, "Definition") };
  });
}

function buildSchema(g: GraphQLLib, sdl: string): BuiltSchema {
  const hit = schemaCache.get(sdl);
  if (hit) return hit;
  let built: BuiltSchema;
  const parsed = parseDocument(g, sdl, "schema");
  const own = "doc" in parsed ? parsed.doc.definitions : [];
  for (const d of own) {
    const name = nameOfNode(d);
    if (d.kind.endsWith("TypeDefinition") && PRELUDE_TYPES.has(name))
      throw new GqlFailure(
        `Cannot redeclare type ${name} in GraphQL schema string at location ${locOf(d)}`,
      );
  }
  // graphql-js only has the standard scalars a schema mentions; gqlparser has all of them (so a
  // query may declare an Int variable against a schema without Int fields)
  const doc = {
    kind: "Document",
    definitions: [...extensionsAsDefinitions(own), ...STANDARD_SCALARS.map(scalarNode)],
  };
  try {
    const checked = g.buildASTSchema(doc, {});
    const problems = g.validateSchema(checked).filter((e) => e.message !== QUERY_ROOT_MISSING);
    if (problems.length > 0) {
      const p = problems[0];
      built = {
        parsed,
        error: new GqlFailure(
          `${p.message.replace(/\.$/, "")} in GraphQL schema string at location ${where(p)}`,
        ),
      };
    } else built = { parsed, forQueries: g.buildASTSchema(doc, { assumeValid: true }) };
  } catch (e) {
    // SDL errors (unknown types, duplicate names, …) come as one Error listing them all
    const msg = (e instanceof Error ? e.message : String(e)).split("\n\n")[0].replace(/\.$/, "");
    built = { parsed, error: new GqlFailure(`${msg} in GraphQL schema string`) };
  }
  if (schemaCache.size >= SCHEMA_CACHE_SIZE) schemaCache.delete(schemaCache.keys().next().value!);
  schemaCache.set(sdl, built);
  return built;
}

function validateQuery(g: GraphQLLib, schema: GSchema, parsed: Parsed): void {
  if (!("doc" in parsed)) return;
  for (const d of parsed.doc.definitions) {
    if (d.kind !== "OperationDefinition") continue;
    const op = String(d.operation);
    if (!schema.getRootType(op))
      throw new GqlFailure(
        `Schema does not support operation type "${op}" in GraphQL query string at location ${locOf(d)}`,
      );
  }
  const errors = g.validate(schema, parsed.doc);
  if (errors.length > 0) {
    const e = errors[0];
    throw new GqlFailure(
      `${e.message.replace(/\.$/, "")} in GraphQL query string at location ${where(e)}`,
    );
  }
}

const queryAST = (p: Parsed): Value => fromJS("doc" in p ? prune(toGqlQuery(p.doc)) : {});
const schemaAST = (p: Parsed): Value => fromJS("doc" in p ? prune(toGqlSchema(p.doc)) : {});

/** Parses and validates both documents; returns their ASTs or throws a GqlFailure. */
function parseAndValidate(name: string, query: Value, schema: Value): [Value, Value] {
  const g = graphql(name);
  const qText = queryText(query, name, 1);
  const sText = schemaText(schema, name, 2);
  const parsedQuery = parseDocument(g, qText, "query");
  const built = buildSchema(g, sText);
  if (built.error || !built.forQueries) throw built.error ?? new GqlFailure("invalid schema");
  validateQuery(g, built.forQueries, parsedQuery);
  return [queryAST(parsedQuery), schemaAST(built.parsed)];
}

/** Runs `f`; a GqlFailure becomes the built-in's error (prefixed with its name). */
function raising<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GqlFailure) throw new BuiltinError(`${name}: ${e.message}`);
    throw e;
  }
}

/** Runs `f`; any failure (including a wrongly typed operand) yields `fallback`. */
function orElse(f: () => Value, fallback: Value): Value {
  try {
    return f();
  } catch (e) {
    if (e instanceof BuiltinError && /needs the npm package/.test(e.message)) throw e;
    return fallback;
  }
}

const defs: BuiltinDef[] = [
  {
    name: "graphql.parse",
    arity: 2,
    args: [
      ["string", "object"],
      ["string", "object"],
    ],
    impl: ([q, s]) => raising("graphql.parse", () => parseAndValidate("graphql.parse", q, s)),
  },
  {
    name: "graphql.parse_and_verify",
    arity: 2,
    args: [
      ["string", "object"],
      ["string", "object"],
    ],
    impl: ([q, s]) =>
      orElse(
        () => [true, ...parseAndValidate("graphql.parse_and_verify", q, s)],
        [false, new RObject([]), new RObject([])],
      ),
  },
  {
    name: "graphql.parse_query",
    arity: 1,
    args: [["string"]],
    impl: ([q]) => {
      if (typeof q !== "string") throw operandError("graphql.parse_query", 1, "string", q);
      const g = graphql("graphql.parse_query");
      return raising("graphql.parse_query", () => queryAST(parseDocument(g, q, "query")));
    },
  },
  {
    name: "graphql.parse_schema",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => {
      if (typeof s !== "string") throw operandError("graphql.parse_schema", 1, "string", s);
      const g = graphql("graphql.parse_schema");
      return raising("graphql.parse_schema", () => schemaAST(parseDocument(g, s, "schema")));
    },
  },
  {
    name: "graphql.is_valid",
    arity: 2,
    args: [
      ["string", "object"],
      ["string", "object"],
    ],
    impl: ([q, s]) =>
      orElse(() => {
        parseAndValidate("graphql.is_valid", q, s);
        return true;
      }, false),
  },
  {
    name: "graphql.schema_is_valid",
    arity: 1,
    args: [["string", "object"]],
    impl: ([s]) =>
      orElse(() => {
        const g = graphql("graphql.schema_is_valid");
        return buildSchema(g, schemaText(s, "graphql.schema_is_valid", 1)).error === undefined;
      }, false),
  },
];

export const builtins = defineAll(defs);
