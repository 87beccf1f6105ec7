/**
 * Runs `tokenwarden` commands in-process through the real dispatcher (cli/main.ts `main`), as a
 * non-interactive CI job would, and records what they printed and the exit code.
 */
import * as path from "node:path";
import { runMain, type RunResult } from "../support/run-cli";

export const REPO = path.resolve(__dirname, "../..");
/** A fixed clock for every command, so review dates and waivers judge the same day everywhere. */
export const NOW = "2026-11-30T12:00:00Z";
export const EXAMPLE = "examples/access-needs.yaml";
export const VIOLATIONS = "examples/violations/access-needs.yaml";
export const WAIVERS = path.relative(REPO, path.join(__dirname, "fixtures", "waivers.yaml"));

export function tokenwarden(argv: string[], cwd: string = REPO): Promise<RunResult> {
  return runMain(argv, cwd);
}
