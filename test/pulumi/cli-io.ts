/**
 * Runs a CLI command in-process with an io that records what it printed. (The dispatcher's lazy
 * require() of command modules only resolves compiled files, so tests call the command itself.)
 */
import type { Command } from "../../cli/io";
import { run as plan } from "../../cli/commands/plan";
import { run as validate } from "../../cli/commands/validate";
import { captureIO } from "../support/capture-io";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const COMMANDS: Readonly<Record<string, Command>> = { plan, validate };

export async function runCli(argv: string[]): Promise<CliRun> {
  const { io, out, err } = captureIO();
  const [name, ...rest] = argv;
  const code = await COMMANDS[name](rest, io);
  return { code, stdout: out(), stderr: err() };
}
