/**
 * `tokenwarden input <input|-> [--now <RFC3339>] [--compact]`: the policy input document exactly
 * as the policies see it — the same loader and normalisers `check` uses — so `opa eval`,
 * `conftest test` and `tokenwarden policy eval` users judge the same document with their own
 * tools (policies/conftest.rego gives conftest its `deny`/`warn`). It holds names, paths and
 * numbers only: the normalisers never copy a token value into it.
 */
import { parseArgs } from "../args";
import { UsageError } from "../../errors";
import { readInputText, type Command } from "../io";
import { loadInput } from "../../policies/input/load";
import { checkNow } from "./check";

export const run: Command = async (argv, io) => {
  const args = parseArgs(argv, { now: { value: true }, compact: {} });
  if (args.positionals.length !== 1) {
    throw new UsageError(
      args.positionals.length === 0
        ? "give the input to print (a manifest, plan JSON, Terraform JSON or Terraform plan)"
        : "input takes one file (a directory's files are printed one by one)",
    );
  }
  const file = args.positionals[0];
  const now = checkNow(args.get("now"));
  const text = file === "-" ? await readInputText(io) : undefined;
  const loaded = await loadInput(file, { now, cwd: io.cwd, text });
  io.out(JSON.stringify(loaded.input, null, args.has("compact") ? undefined : 2) + "\n");
  return 0;
};
