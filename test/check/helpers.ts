import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { run } from "../../cli/commands/check";
import { captureIO } from "../support/capture-io";
import { runCommand, type RunResult } from "../support/run-cli";

export const REPO = path.resolve(__dirname, "../..");
export const FIXTURES = path.join(__dirname, "fixtures");
export const NOW = "2026-11-30T12:00:00Z";
/** A value that must never appear in any output. */
export const CANARY = "hvs.CANARYtokenwardenCANARY0123456789abcdef";

/**
 * Runs `tokenwarden check <argv>` in-process, from the repo root, as a non-interactive CI job
 * would, handling user errors as the dispatcher (cli/main.ts) does: message on stderr, exit 2.
 */
export async function tw(argv: string[], cwd: string = REPO): Promise<RunResult> {
  if (argv[0] !== "check") throw new Error("tw() runs the check command only");
  const { io, out, err } = captureIO(cwd);
  const code = await runCommand("check", run, argv.slice(1), io);
  return { code, out: out(), err: err() };
}

export function fixture(name: string): string {
  return path.relative(REPO, path.join(FIXTURES, name));
}

const SARIF_SCHEMA = path.resolve(REPO, "../shared/schemas/sarif-schema-2.1.0.json");
export const haveSarifSchema = fs.existsSync(SARIF_SCHEMA);
if (!haveSarifSchema && process.env.CI === "true") {
  throw new Error(`SARIF schema missing at ${SARIF_SCHEMA} (required under CI=true)`);
}
if (!haveSarifSchema) console.warn(`skipping SARIF schema validation: ${SARIF_SCHEMA} not found`);

/** A validator for the official SARIF 2.1.0 schema (../shared/schemas). */
export function sarifValidator() {
  const schema = JSON.parse(fs.readFileSync(SARIF_SCHEMA, "utf8")) as Record<string, unknown>;
  // The official schema is draft-04: ajv reads it as draft-07 once `id` is `$id` (no draft-04-only
  // keywords such as boolean exclusiveMinimum occur in it).
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("uri", (s: string) => {
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  });
  ajv.addFormat("uri-reference", () => true);
  ajv.addFormat("date-time", (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile(schema);
}
