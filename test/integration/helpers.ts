/**
 * Runs `tokenwarden` commands in-process through the real dispatcher (cli/main.ts `main`), as a
 * non-interactive CI job would, and records what they printed and the exit code.
 */
import * as path from "node:path";
import { main } from "../../cli/main";
import type { CliIO } from "../../cli/io";

export const REPO = path.resolve(__dirname, "../..");
/** A fixed clock for every command, so review dates and waivers judge the same day everywhere. */
export const NOW = "2026-11-30T12:00:00Z";
export const EXAMPLE = "examples/access-needs.yaml";
export const VIOLATIONS = "examples/violations/access-needs.yaml";
export const WAIVERS = path.relative(REPO, path.join(__dirname, "fixtures", "waivers.yaml"));

export interface RunResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function tokenwarden(argv: string[], cwd: string = REPO): Promise<RunResult> {
  let out = "";
  let err = "";
  const io: CliIO = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    interactive: false,
    env: {},
    cwd,
    readStdin: async () => "",
  };
  const code = await main(argv, io);
  return { code, out, err };
}
