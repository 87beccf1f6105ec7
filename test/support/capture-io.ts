/**
 * A non-interactive CliIO that records what a command printed, so tests can run commands
 * in-process (as a CI job would, with an empty environment and empty stdin) and read the output.
 */
import type { CliIO } from "../../cli/io";

export interface CapturedIO {
  readonly io: CliIO;
  /** Everything written to stdout so far. */
  readonly out: () => string;
  /** Everything written to stderr so far. */
  readonly err: () => string;
}

export function captureIO(
  cwd: string = process.cwd(),
  env: Readonly<Record<string, string>> = {},
): CapturedIO {
  let out = "";
  let err = "";
  return {
    io: {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
      interactive: false,
      env,
      cwd,
      readStdin: async () => "",
    },
    out: () => out,
    err: () => err,
  };
}
