/**
 * `tokenwarden policy capabilities`: this engine's capabilities document in OPA's JSON shape (what
 * `opa capabilities --current` prints): every built-in with OPA's declared argument and result
 * types, the opt-in future keywords and the language features. Feed it to tools that read OPA
 * capabilities (`opa check --capabilities`, Regal), or edit it into a `--capabilities` file that
 * narrows what policies may call.
 */
import type { CliIO } from "../io";
import { parseArgs } from "../args";
import { UsageError } from "../../errors";
import { engineCapabilities } from "../../rego/engine-capabilities";

export async function capabilitiesCommand(argv: string[], io: CliIO): Promise<number> {
  // --current is accepted for `opa capabilities --current` habits; it is the only document here
  const args = parseArgs(argv, { current: {} });
  if (args.positionals.length > 0)
    throw new UsageError(
      `unexpected argument "${args.positionals[0]}" (policy capabilities takes none)`,
    );
  io.out(JSON.stringify(engineCapabilities(), null, 2) + "\n");
  return 0;
}
