/**
 * `tokenwarden inventory [--manifest m.yaml] [--format text|json] [--concurrency N] [--now T]`:
 * everything a Vault holds that tokenwarden cares about — tokens (by accessor; looked up, never
 * renewed, never by id), ACL policies, auth roles, KV entries under the tokens mount — each joined
 * to its declared need when a manifest is given. Exit 0 when everything was read; exit 2 when
 * something could not be (listing accessors needs `sudo`): all the rest is still printed, and each
 * unread request is named on stderr and under `unread` in JSON (`complete: false`).
 */
import type { Command } from "../io";
import { buildInventory, renderInventoryText } from "../../ops/lifecycle/inventory";
import { lifecycleArgs, lifecycleSession, reportUnread } from "../../ops/lifecycle/command-support";

export const run: Command = async (argv, io) => {
  const { args, format } = lifecycleArgs(argv, {
    formats: ["text", "json"],
    flags: { manifest: { value: true }, "kv-mount": { value: true } },
    positional: { unexpectedHint: " (the manifest goes after --manifest)" },
  });
  const { declared, progress, scan } = lifecycleSession(io, args, {
    manifest: args.get("manifest"),
  });

  const live = await scan();
  progress.clear();
  const inventory = buildInventory(live, declared);
  io.out(
    format === "json" ? JSON.stringify(inventory, null, 2) + "\n" : renderInventoryText(inventory),
  );
  return live.unread.length > 0 ? reportUnread(io, "inventory", live.unread) : 0;
};
