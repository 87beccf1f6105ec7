/**
 * `tokenwarden validate <manifest> [--format text|json]`: schema, syntax and reference checks.
 * Exit 0 with a one-line summary, or exit 2 with every issue, one per line (`file:line:col: field:
 * message`). Policy findings are not this command's business — that is `check`.
 */
import type { Command } from "../io";
import { formatFlag, parseArgs } from "../args";
import { UsageError } from "../../errors";
import { ManifestError, formatIssue, loadManifest, parseManifestText } from "../../model";
import { readInputText } from "../io";

export const run: Command = async (argv, io) => {
  const args = parseArgs(argv, { format: { value: true } });
  const format = formatFlag(args, ["text", "json"] as const, "text");
  if (args.positionals.length !== 1) {
    throw new UsageError(
      args.positionals.length === 0
        ? "give the manifest to validate"
        : "validate takes one manifest",
    );
  }
  const given = args.positionals[0];
  const file = given === "-" ? "<stdin>" : given;
  try {
    // `-` is standard input, named <stdin> in messages.
    const m = given === "-" ? parseManifestText(await readInputText(io), file) : loadManifest(file);
    const counts = {
      consumers: m.consumers.length,
      providers: m.providers.length,
      needs: m.needs.length,
    };
    if (format === "json")
      io.out(JSON.stringify({ valid: true, file, ...counts, issues: [] }) + "\n");
    else {
      io.out(
        `${file}: valid — ${counts.needs} need${counts.needs === 1 ? "" : "s"}, ` +
          `${counts.consumers} consumer${counts.consumers === 1 ? "" : "s"}, ` +
          `${counts.providers} provider${counts.providers === 1 ? "" : "s"}\n`,
      );
    }
    return 0;
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    if (format === "json") {
      io.out(JSON.stringify({ valid: false, file, issues: err.issues }) + "\n");
    } else {
      for (const issue of err.issues) io.err(formatIssue(issue) + "\n");
      io.err(`${file}: ${err.issues.length} issue${err.issues.length === 1 ? "" : "s"}\n`);
    }
    return 2;
  }
};
