/**
 * Runs `tokenwarden` in-process, as a non-interactive CI job would: either through the real
 * dispatcher (cli/main.ts), or one command module directly with the dispatcher's error handling
 * (for commands whose module the dispatcher would load from dist/ only).
 */
import { main } from "../../cli/main";
import { UsageError, UserError } from "../../errors";
import type { CliIO, Command } from "../../cli/io";
import { captureIO } from "./capture-io";

export interface RunResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** `tokenwarden <argv>` from `cwd`: exit code and everything printed. */
export async function runMain(argv: string[], cwd: string = process.cwd()): Promise<RunResult> {
  const { io, out, err } = captureIO(cwd);
  const code = await main(argv, io);
  return { code, out: out(), err: err() };
}

/**
 * `tokenwarden <name> <argv>` through `command` itself: a UserError becomes what the dispatcher
 * prints for it (its message on one line, then the usage line for a UsageError when `usage` is
 * given) and its exit code; any other error is thrown.
 */
export async function runCommand(
  name: string,
  command: Command,
  argv: string[],
  io: CliIO,
  usage?: string,
): Promise<number> {
  try {
    return await command(argv, io);
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    io.err(`tokenwarden ${name}: ${e.message}\n`);
    if (usage !== undefined && e instanceof UsageError) io.err(`Usage: ${usage}\n`);
    return e.exitCode;
  }
}
