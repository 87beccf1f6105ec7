/**
 * Vitest runs the TypeScript sources, and the engine's lazy `require("./parser")` (and compiler,
 * testing, coverage) cannot read a .ts file: every test process is handed those parts up front instead
 * (vitest.config.mts `setupFiles`). The lazy path itself is tested on the built JavaScript
 * (test/cli/start-modules.test.ts).
 */
import { provideEngineParts } from "../../rego";
import * as parser from "../../rego/parser";
import * as compiler from "../../rego/compiler";
import * as testing from "../../rego/testing";
import * as coverage from "../../rego/coverage";

provideEngineParts({ parser, compiler, testing, coverage });
