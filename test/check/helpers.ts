import * as path from "node:path";
import { run } from "../../cli/commands/check";
import { UserError } from "../../cli/errors";
import type { CliIO } from "../../cli/io";

export const REPO = path.resolve(__dirname, "../..");
export const FIXTURES = path.join(__dirname, "fixtures");
export const NOW = "2026-11-30T12:00:00Z";
/** A value that must never appear in any output. */
export const CANARY = "hvs.CANARYtokenwardenCANARY0123456789abcdef";

export interface RunResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `tokenwarden check <argv>` in-process, from the repo root, as a non-interactive CI job
 * would, handling user errors as the dispatcher (cli/main.ts) does: message on stderr, exit 2.
 */
export async function tw(argv: string[], cwd: string = REPO): Promise<RunResult> {
  if (argv[0] !== "check") throw new Error("tw() runs the check command only");
  let out = "";
  let err = "";
  const io: CliIO = {
    out: (t) => (out += t),
    err: (t) => (err += t),
    interactive: false,
    env: {},
    cwd,
    readStdin: async () => "",
  };
  let code: number;
  try {
    code = await run(argv.slice(1), io);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    io.err(`tokenwarden check: ${e.message}\n`);
    code = e.exitCode;
  }
  return { code, out, err };
}

export function fixture(name: string): string {
  return path.relative(REPO, path.join(FIXTURES, name));
}
