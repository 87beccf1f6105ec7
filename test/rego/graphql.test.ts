/**
 * graphql.* built-ins: the gqlparser-shaped ASTs OPA returns, parse and validation failures, and
 * the "is valid" variants that never fail. The expected ASTs are the shapes OPA documents and
 * returns for these inputs (Go field names, `Kind` as gqlparser's number, positions and empty
 * parts pruned).
 *
 * The family runs on the optional `graphql` npm package: where it is not installed these tests
 * are skipped visibly, except under CI=true, where a missing package is a failure.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RObject, fromJS, toJS, type Value } from "../../rego/value";
import { BuiltinError, BuiltinTypeError } from "../../rego/builtins/types";
import { builtinsOf } from "../../rego/builtins";
import { builtinContext, callBuiltin, thrownBy } from "../support/builtin-harness";
import { value } from "./helpers";

const available = (() => {
  try {
    createRequire(__filename).resolve("graphql");
    return true;
  } catch {
    return false;
  }
})();
if (!available && process.env.CI === "true")
  throw new Error("the graphql npm package (graphql@16) is required by the graphql.* built-ins");

const GQL = builtinsOf("graphql");
const call = (name: string, ...args: Value[]): unknown =>
  toJS(callBuiltin(GQL, builtinContext(), name, ...args) as Value);
const failure = (name: string, ...args: Value[]): Error =>
  thrownBy(name, () => call(name, ...args));

const SCHEMA = `
  type Employee {
    id: String!
    salary: Int!
  }

  schema {
    query: Query
  }

  type Query {
    employeeByID(id: String!): Employee
  }`;

const BROKEN_SCHEMA = `
  type Employee { id: String! }
  type Broken {
    fixme

  type Query { employeeByID(id: String!): Employee }`;

const QUERY = `{ employeeByID(id: "alice") { salary } }`;

const QUERY_AST = {
  Operations: [
    {
      Name: "",
      Operation: "query",
      SelectionSet: [
        {
          Alias: "employeeByID",
          Name: "employeeByID",
          Arguments: [
            { Name: "id", Value: { ExpectedTypeHasDefault: false, Kind: 3, Raw: "alice" } },
          ],
          SelectionSet: [{ Alias: "salary", Name: "salary" }],
        },
      ],
    },
  ],
};

const field = (name: string, type: object, extra: object = {}) => ({
  Description: "",
  Name: name,
  ...extra,
  Type: type,
});
const named = (n: string, nonNull = false) => ({ NamedType: n, NonNull: nonNull });

const SCHEMA_AST = {
  Definitions: [
    {
      BuiltIn: false,
      Description: "",
      Kind: "OBJECT",
      Name: "Employee",
      Fields: [field("id", named("String", true)), field("salary", named("Int", true))],
    },
    {
      BuiltIn: false,
      Description: "",
      Kind: "OBJECT",
      Name: "Query",
      Fields: [
        field("employeeByID", named("Employee"), {
          Arguments: [field("id", named("String", true))],
        }),
      ],
    },
  ],
  Schema: [{ Description: "", OperationTypes: [{ Operation: "query", Type: "Query" }] }],
};

describe.skipIf(!available)("graphql.parse_query", () => {
  it("returns gqlparser's query document with positions and empty parts pruned", () => {
    expect(call("graphql.parse_query", QUERY)).toEqual(QUERY_AST);
  });

  it("parses an empty document to an empty object, as gqlparser does", () => {
    expect(call("graphql.parse_query", "")).toEqual({});
    expect(call("graphql.parse_query", "  # only a comment\n")).toEqual({});
  });

  it("maps operations, variables, fragments, directives and every value kind", () => {
    const doc = call(
      "graphql.parse_query",
      `query Q($id: ID! = "x", $tags: [String!]) @live {
         boss: employee(id: $id, n: 1, f: 2.5, b: true, z: null, e: ASC,
                        l: [1], o: {k: "v"}, blk: """ block """) @include(if: true) {
           ...Parts
           ... on Employee { salary }
         }
       }
       mutation { fire(id: "bob") }
       fragment Parts on Employee { id }`,
    ) as Record<string, unknown[]>;
    const [q, m] = doc.Operations as Record<string, unknown>[];
    expect(q.Operation).toBe("query");
    expect(q.Name).toBe("Q");
    expect(q.Directives).toEqual([{ Name: "live", Location: "" }]);
    expect(q.VariableDefinitions).toEqual([
      {
        Variable: "id",
        Type: { NamedType: "ID", NonNull: true },
        DefaultValue: { Raw: "x", Kind: 3, ExpectedTypeHasDefault: false },
        Used: false,
      },
      {
        Variable: "tags",
        Type: { NamedType: "", NonNull: false, Elem: { NamedType: "String", NonNull: true } },
        Used: false,
      },
    ]);
    const boss = (q.SelectionSet as Record<string, unknown>[])[0];
    expect(boss.Alias).toBe("boss");
    expect(boss.Name).toBe("employee");
    const kinds = Object.fromEntries(
      (boss.Arguments as { Name: string; Value: { Kind: number; Raw: string } }[]).map((a) => [
        a.Name,
        [a.Value.Kind, a.Value.Raw],
      ]),
    );
    expect(kinds).toEqual({
      id: [0, "id"],
      n: [1, "1"],
      f: [2, "2.5"],
      b: [5, "true"],
      z: [6, "null"],
      e: [7, "ASC"],
      l: [8, ""],
      o: [9, ""],
      blk: [4, " block "], // one-line block strings keep their spaces (spec BlockStringValue)
    });
    const args = boss.Arguments as { Name: string; Value: { Children?: unknown } }[];
    expect(args.find((a) => a.Name === "l")?.Value.Children).toEqual([
      { Name: "", Value: { Raw: "1", Kind: 1, ExpectedTypeHasDefault: false } },
    ]);
    expect(args.find((a) => a.Name === "o")?.Value.Children).toEqual([
      { Name: "k", Value: { Raw: "v", Kind: 3, ExpectedTypeHasDefault: false } },
    ]);
    expect(boss.Directives).toEqual([
      {
        Name: "include",
        Location: "",
        Arguments: [{ Name: "if", Value: { Raw: "true", Kind: 5, ExpectedTypeHasDefault: false } }],
      },
    ]);
    expect(boss.SelectionSet).toEqual([
      { Name: "Parts" },
      { TypeCondition: "Employee", SelectionSet: [{ Alias: "salary", Name: "salary" }] },
    ]);
    expect(m.Operation).toBe("mutation");
    expect(m.Name).toBe("");
    expect(doc.Fragments).toEqual([
      { Name: "Parts", TypeCondition: "Employee", SelectionSet: [{ Alias: "id", Name: "id" }] },
    ]);
  });

  it("fails on a syntax error with OPA's message framing and the location", () => {
    const e = failure("graphql.parse_query", `{ employeeByID("id: bob") }`);
    expect(e).toBeInstanceOf(BuiltinError);
    expect(e.message).toBe(
      'graphql.parse_query: Expected Name, found String "id: bob" in GraphQL string at location 1:16',
    );
  });

  it("refuses type definitions in a query document", () => {
    expect(failure("graphql.parse_query", "type T { a: Int }").message).toBe(
      'graphql.parse_query: Unexpected Name "type" in GraphQL string at location 1:1',
    );
  });

  it("is a type error for a non-string operand", () => {
    expect(failure("graphql.parse_query", 1)).toBeInstanceOf(BuiltinTypeError);
  });
});

describe.skipIf(!available)("graphql.parse_schema", () => {
  it("returns gqlparser's schema document", () => {
    expect(call("graphql.parse_schema", SCHEMA)).toEqual(SCHEMA_AST);
  });

  it("parses an empty schema to an empty object", () => {
    expect(call("graphql.parse_schema", "")).toEqual({});
  });

  it("maps every kind of type-system definition", () => {
    const doc = call(
      "graphql.parse_schema",
      `"""The root"""
       type Query implements Node & Named @key(f: "id") { id: ID! node(first: Int = 10): [Node] }
       interface Node { id: ID! }
       interface Named { id: ID! }
       union Thing = Query | Other
       type Other { x: Int }
       enum Color { "warm" RED BLUE @deprecated }
       input Filter { q: String = "a" }
       scalar Date
       directive @key(f: String!) repeatable on OBJECT | INTERFACE
       extend type Other { y: Int }
       extend schema @key(f: "s")`,
    ) as Record<string, Record<string, unknown>[]>;
    const byName = Object.fromEntries(doc.Definitions.map((d) => [d.Name, d]));
    expect(byName.Query.Kind).toBe("OBJECT");
    expect(byName.Query.Description).toBe("The root");
    expect(byName.Query.Interfaces).toEqual(["Node", "Named"]);
    expect(byName.Query.Directives).toEqual([
      {
        Name: "key",
        Location: "",
        Arguments: [{ Name: "f", Value: { Raw: "id", Kind: 3, ExpectedTypeHasDefault: false } }],
      },
    ]);
    expect((byName.Query.Fields as unknown[])[1]).toEqual({
      Description: "",
      Name: "node",
      Arguments: [
        {
          Description: "",
          Name: "first",
          DefaultValue: { Raw: "10", Kind: 1, ExpectedTypeHasDefault: false },
          Type: { NamedType: "Int", NonNull: false },
        },
      ],
      Type: { NamedType: "", NonNull: false, Elem: { NamedType: "Node", NonNull: false } },
    });
    expect(byName.Node.Kind).toBe("INTERFACE");
    expect(byName.Thing).toEqual({
      BuiltIn: false,
      Description: "",
      Kind: "UNION",
      Name: "Thing",
      Types: ["Query", "Other"],
    });
    expect(byName.Color.EnumValues).toEqual([
      { Description: "warm", Name: "RED" },
      { Description: "", Name: "BLUE", Directives: [{ Name: "deprecated", Location: "" }] },
    ]);
    expect(byName.Filter.Kind).toBe("INPUT_OBJECT");
    expect(byName.Filter.Fields).toEqual([
      {
        Description: "",
        Name: "q",
        DefaultValue: { Raw: "a", Kind: 3, ExpectedTypeHasDefault: false },
        Type: { NamedType: "String", NonNull: false },
      },
    ]);
    expect(byName.Date).toEqual({ BuiltIn: false, Description: "", Kind: "SCALAR", Name: "Date" });
    expect(doc.Directives).toEqual([
      {
        Description: "",
        Name: "key",
        Arguments: [{ Description: "", Name: "f", Type: { NamedType: "String", NonNull: true } }],
        Locations: ["OBJECT", "INTERFACE"],
        IsRepeatable: true,
      },
    ]);
    expect(doc.Extensions).toEqual([
      {
        BuiltIn: false,
        Description: "",
        Kind: "OBJECT",
        Name: "Other",
        Fields: [{ Description: "", Name: "y", Type: { NamedType: "Int", NonNull: false } }],
      },
    ]);
    expect(doc.SchemaExtension).toEqual([
      {
        Description: "",
        Directives: [
          {
            Name: "key",
            Location: "",
            Arguments: [{ Name: "f", Value: { Raw: "s", Kind: 3, ExpectedTypeHasDefault: false } }],
          },
        ],
      },
    ]);
  });

  it("fails on a syntax error, and on an operation in a schema document", () => {
    expect(failure("graphql.parse_schema", BROKEN_SCHEMA).message).toMatch(
      /^graphql\.parse_schema: Expected .* in GraphQL string at location 6:3$/,
    );
    expect(failure("graphql.parse_schema", "{ a }").message).toBe(
      "graphql.parse_schema: Unexpected { in GraphQL string at location 1:1",
    );
    expect(failure("graphql.parse_schema", "query Q { a }").message).toBe(
      'graphql.parse_schema: Unexpected Name "query" in GraphQL string at location 1:1',
    );
  });
});

describe.skipIf(!available)("graphql.schema_is_valid", () => {
  it("accepts a valid schema, as a string or as the AST object", () => {
    expect(call("graphql.schema_is_valid", SCHEMA)).toBe(true);
    expect(call("graphql.schema_is_valid", fromJS(SCHEMA_AST))).toBe(true);
  });

  it("accepts an empty schema (gqlparser merges in its prelude, needs no query root)", () => {
    expect(call("graphql.schema_is_valid", "")).toBe(true);
    expect(call("graphql.schema_is_valid", "type Employee { id: ID }")).toBe(true);
  });

  it("rejects syntax errors and schemas that break the type-system rules", () => {
    expect(call("graphql.schema_is_valid", BROKEN_SCHEMA)).toBe(false);
    expect(call("graphql.schema_is_valid", "type Query { a: Missing }")).toBe(false);
    expect(call("graphql.schema_is_valid", "type Query { a: Int }\ntype Query { b: Int }")).toBe(
      false,
    );
    expect(call("graphql.schema_is_valid", "type Query { a: U }\nunion U = Int")).toBe(false);
    expect(call("graphql.schema_is_valid", "type Query")).toBe(false);
    // gqlparser's prelude already declares the standard scalars and introspection types
    expect(call("graphql.schema_is_valid", "scalar String")).toBe(false);
    expect(call("graphql.schema_is_valid", "type __Type { a: Int }")).toBe(false);
    expect(call("graphql.schema_is_valid", "scalar Date")).toBe(true);
    expect(
      call("graphql.schema_is_valid", "interface I { a: Int }\ntype Query implements I { b: Int }"),
    ).toBe(false);
  });

  it("is false, not an error, for an operand of the wrong type or a malformed AST object", () => {
    expect(call("graphql.schema_is_valid", 7)).toBe(false);
    expect(
      call("graphql.schema_is_valid", fromJS({ Definitions: [{ Kind: "NOPE", Name: "X" }] })),
    ).toBe(false);
  });
});

describe.skipIf(!available)("graphql.is_valid", () => {
  it("validates a query against a schema, each given as a string or an AST object", () => {
    expect(call("graphql.is_valid", QUERY, SCHEMA)).toBe(true);
    expect(call("graphql.is_valid", fromJS(QUERY_AST), SCHEMA)).toBe(true);
    expect(call("graphql.is_valid", QUERY, fromJS(SCHEMA_AST))).toBe(true);
  });

  it("applies the query validation rules", () => {
    const invalid = [
      `{ employeeByID(id: "bob") }`, // leaf selection missing
      `{ employeeByID(id: "bob") { name } }`, // unknown field
      `{ employeeByID { salary } }`, // required argument missing
      `{ employeeByID(id: 1) { salary } }`, // wrong argument type
      `query { employeeByID(id: $who) { salary } }`, // undefined variable
      `query Q($who: String!) { employeeByID(id: "x") { salary } }`, // unused variable
      `{ employeeByID(id: "x") { ...F } }`, // unknown fragment
      `mutation { employeeByID(id: "x") { salary } }`, // no mutation root
    ];
    for (const q of invalid) expect([q, call("graphql.is_valid", q, SCHEMA)]).toEqual([q, false]);
    expect(
      call(
        "graphql.is_valid",
        `query Q($who: String!) { employeeByID(id: $who) { ...F } } fragment F on Employee { id }`,
        SCHEMA,
      ),
    ).toBe(true);
  });

  it("is false for an invalid schema or a wrongly typed operand", () => {
    expect(call("graphql.is_valid", QUERY, BROKEN_SCHEMA)).toBe(false);
    expect(call("graphql.is_valid", 1, SCHEMA)).toBe(false);
    expect(call("graphql.is_valid", QUERY, [])).toBe(false);
  });
});

describe.skipIf(!available)("graphql.parse", () => {
  it("returns [query AST, schema AST] for a valid pair", () => {
    expect(call("graphql.parse", QUERY, SCHEMA)).toEqual([QUERY_AST, SCHEMA_AST]);
    expect(call("graphql.parse", QUERY, fromJS(SCHEMA_AST))).toEqual([QUERY_AST, SCHEMA_AST]);
  });

  it("fails with the first validation error, located in the query", () => {
    expect(failure("graphql.parse", `{ employeeByID(id: "bob") }`, SCHEMA).message).toBe(
      'graphql.parse: Field "employeeByID" of type "Employee" must have a selection of subfields. Did you mean "employeeByID { ... }"? in GraphQL query string at location 1:3',
    );
    expect(failure("graphql.parse", QUERY, "").message).toBe(
      'graphql.parse: Schema does not support operation type "query" in GraphQL query string at location 1:1',
    );
    expect(failure("graphql.parse", `{employeeByID("alice"`, SCHEMA)).toBeInstanceOf(BuiltinError);
  });

  it("is a type error for operands that are neither strings nor objects", () => {
    const e = failure("graphql.parse", QUERY, 3);
    expect(e).toBeInstanceOf(BuiltinTypeError);
    expect(e.message).toBe(
      "graphql.parse: operand 2 must be one of {object, string} but got number",
    );
  });
});

describe.skipIf(!available)("graphql.parse_and_verify", () => {
  const failed = [false, {}, {}];
  it("returns [true, query AST, schema AST] for a valid pair", () => {
    expect(call("graphql.parse_and_verify", QUERY, SCHEMA)).toEqual([true, QUERY_AST, SCHEMA_AST]);
  });

  it("accepts an empty query", () => {
    expect(call("graphql.parse_and_verify", "", SCHEMA)).toEqual([true, {}, SCHEMA_AST]);
  });

  it("returns [false, {}, {}] instead of failing", () => {
    expect(call("graphql.parse_and_verify", `{employeeByID("alice"`, SCHEMA)).toEqual(failed);
    expect(call("graphql.parse_and_verify", QUERY, BROKEN_SCHEMA)).toEqual(failed);
    expect(call("graphql.parse_and_verify", `{ employeeByID(id:"bob") }`, SCHEMA)).toEqual(failed);
    expect(call("graphql.parse_and_verify", QUERY, "")).toEqual(failed);
    expect(call("graphql.parse_and_verify", QUERY, new RObject([[1, 2]]))).toEqual(failed);
  });
});

describe.skipIf(!available)("graphql.* in a policy", () => {
  it("lets a policy walk the verified query for the fields it selects", () => {
    const policy = `package gql
schema := \`${SCHEMA}\`
selected contains name if {
  [true, ast, _] := graphql.parse_and_verify(input.query, schema)
  walk(ast, [_, node])
  name := node.Name
  node.Alias
}
deny contains "salary is confidential" if "salary" in selected`;
    expect(value(policy, "data.gql.deny", { input: { query: QUERY } })).toEqual([
      "salary is confidential",
    ]);
    expect(
      value(policy, "data.gql.deny", { input: { query: `{ employeeByID(id: "a") { id } }` } }),
    ).toEqual([]);
  });
});

describe.skipIf(!available)("graphql.* robustness", () => {
  const tokens = fc.constantFrom(
    ...'{ } ( ) [ ] : ! $ @ = | & ... query mutation subscription fragment on type schema input enum union interface scalar extend directive implements repeatable Query Employee id salary employeeByID "x" 1 2.5 true null # \n'.split(
      " ",
    ),
  );
  const soup = fc.array(tokens, { maxLength: 25 }).map((ts) => ts.join(" "));
  const json = fc.jsonValue({ maxDepth: 4 }).map((j) => fromJS(j));
  // objects shaped roughly like gqlparser's, with wrong kinds, names and types mixed in
  const leaf = fc.oneof(
    fc.string({ maxLength: 4 }),
    fc.integer({ min: -1, max: 10 }),
    fc.constant(null),
  );
  const gqlValue = fc.record(
    { Raw: leaf, Kind: fc.integer({ min: -1, max: 10 }), Children: fc.constant([]) },
    { requiredKeys: [] },
  );
  const selection = fc.record(
    {
      Alias: leaf,
      Name: fc.oneof(fc.constantFrom("id", "salary", "employeeByID"), leaf),
      Arguments: fc.array(fc.record({ Name: fc.constantFrom("id", "x"), Value: gqlValue }), {
        maxLength: 2,
      }),
      TypeCondition: fc.constantFrom("Employee", "Nope", ""),
    },
    { requiredKeys: [] },
  );
  const shaped = fc
    .record(
      {
        Operations: fc.array(
          fc.record(
            {
              Operation: fc.constantFrom("query", "mutation", "x"),
              Name: leaf,
              SelectionSet: fc.array(selection, { maxLength: 3 }),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 2 },
        ),
        Definitions: fc.array(
          fc.record(
            {
              Kind: fc.constantFrom("OBJECT", "UNION", "ENUM", "SCALAR", "X"),
              Name: fc.constantFrom("Query", "Employee", "1bad"),
              Fields: fc.array(fc.record({ Name: leaf, Type: fc.record({ NamedType: leaf }) }), {
                maxLength: 2,
              }),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: [] },
    )
    .map((o) => fromJS(o));

  it("answers any token soup or AST-like object with a value or a Rego error, never a JS exception", () => {
    fc.assert(
      fc.property(soup, soup, fc.oneof(json, shaped), (q, schema, obj) => {
        const cases: [string, Value[]][] = [
          ["graphql.parse_query", [q]],
          ["graphql.parse_schema", [schema]],
          ["graphql.parse", [q, schema]],
          ["graphql.parse", [obj, SCHEMA]],
          ["graphql.parse", [QUERY, obj]],
          ["graphql.is_valid", [q, SCHEMA]],
          ["graphql.is_valid", [obj, obj]],
          ["graphql.parse_and_verify", [q, schema]],
          ["graphql.schema_is_valid", [schema]],
          ["graphql.schema_is_valid", [obj]],
        ];
        for (const [name, args] of cases) {
          try {
            call(name, ...args);
          } catch (e) {
            if (!(e instanceof BuiltinError || e instanceof BuiltinTypeError)) throw e;
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
