/**
 * Vitest runs the TypeScript sources, and the registry's lazy `require("./<family>")` cannot read
 * a .ts file: every test process is handed the families up front instead (vitest.config.mts
 * `setupFiles`). The lazy path itself is tested on the built JavaScript
 * (test/rego/builtin-families.test.ts).
 */
import { provideFamilies } from "../../rego/builtins";
import { builtins as core } from "../../rego/builtins/core";
import { builtins as strings } from "../../rego/builtins/strings";
import { builtins as regex } from "../../rego/builtins/regex";
import { builtins as glob } from "../../rego/builtins/glob";
import { builtins as numbers } from "../../rego/builtins/numbers";
import { builtins as aggregates } from "../../rego/builtins/aggregates";
import { builtins as arrays } from "../../rego/builtins/arrays";
import { builtins as sets } from "../../rego/builtins/sets";
import { builtins as typecheck } from "../../rego/builtins/typecheck";
import { builtins as units } from "../../rego/builtins/units";
import { builtins as objects } from "../../rego/builtins/objects";
import { builtins as encoding } from "../../rego/builtins/encoding";
import { builtins as time } from "../../rego/builtins/time";
import { builtins as semver } from "../../rego/builtins/semver";
import { builtins as net } from "../../rego/builtins/net";
import { builtins as uuid } from "../../rego/builtins/uuid";
import { builtins as jsonschema } from "../../rego/builtins/jsonschema";
import { builtins as graph } from "../../rego/builtins/graph";
import { builtins as crypto } from "../../rego/builtins/crypto";
import { builtins as regoFamily } from "../../rego/builtins/rego";
import { builtins as template } from "../../rego/builtins/template";
import { builtins as deprecated } from "../../rego/builtins/deprecated";
import { builtins as x509 } from "../../rego/builtins/x509";
import { builtins as providers } from "../../rego/builtins/providers";
import { builtins as internal } from "../../rego/builtins/internal";
import { builtins as graphql } from "../../rego/builtins/graphql";
import { builtins as uri } from "../../rego/builtins/uri";

provideFamilies({
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
  rego: regoFamily,
  template,
  deprecated,
  x509,
  providers,
  internal,
  graphql,
  uri,
});
