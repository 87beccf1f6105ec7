/**
 * Runs a CLI command in-process with an io that records what it printed. (The dispatcher's lazy
 * require() of command modules only resolves compiled files, so tests call the command itself.)
 */
import type { CliIO, Command } from "../../cli/io";
import { run as plan } from "../../cli/commands/plan";
import { run as validate } from "../../cli/commands/validate";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const COMMANDS: Readonly<Record<string, Command>> = { plan, validate };

export async function runCli(argv: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
    interactive: false,
    env: {},
    cwd: process.cwd(),
    readStdin: async () => "",
  };
  const [name, ...rest] = argv;
  const code = await COMMANDS[name](rest, io);
  return { code, stdout, stderr };
}
