/**
 * How every bench script reads its command line, so they all behave like the CLI they measure:
 * `--help` prints the usage on stdout and exits 0; an unknown flag, a missing value or a bad
 * argument prints one line naming it, then the usage, on stderr and exits 2 — never a stack trace.
 */
import { parseArgs, type FlagSpec, type ParsedArgs } from "../cli/args";
import { UsageError } from "../errors";

export interface BenchCommand {
  /** The script's name as its messages start, e.g. "check.js". */
  readonly name: string;
  /** Usage text, starting with "usage:". */
  readonly usage: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
}

/** The parsed arguments; exits (0 for --help, 2 for a usage error) instead of returning. */
export function readBenchArgs(command: BenchCommand, argv: readonly string[]): ParsedArgs {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(command.usage.trimEnd() + "\n");
    process.exit(0);
  }
  try {
    return parseArgs(argv, command.flags);
  } catch (err) {
    if (err instanceof UsageError) benchUsageError(command, err.message);
    throw err;
  }
}

/** Reports a bad argument the way {@link readBenchArgs} does, and exits 2. */
export function benchUsageError(command: BenchCommand, message: string): never {
  process.stderr.write(`${command.name}: ${message}\n${command.usage.trimEnd()}\n`);
  process.exit(2);
}
