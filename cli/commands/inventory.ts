/**
 * `tokenwarden inventory [--manifest m.yaml] [--format text|json] [--concurrency N] [--now T]`:
 * everything a Vault holds that tokenwarden cares about — tokens (by accessor; looked up, never
 * renewed, never by id), ACL policies, auth roles, KV entries under the tokens mount — each joined
 * to its declared need when a manifest is given. Exit 0 when everything was read; exit 2 when
 * something could not be (listing accessors needs `sudo`): all the rest is still printed, and each
 * unread request is named on stderr and under `unread` in JSON (`complete: false`).
 */
import type { Command } from "../io";
import { formatFlag, parseArgs } from "../args";
import { UsageError } from "../../errors";
import { declare } from "../../ops/lifecycle/declared";
import { buildInventory, renderInventoryText } from "../../ops/lifecycle/inventory";
import { scanVault } from "../../ops/lifecycle/scan";
import {
  concurrencyFlag,
  manifestFrom,
  nowFlag,
  progressFor,
  reportUnread,
  vaultFromEnv,
} from "../../ops/lifecycle/command-support";
import { DEFAULT_KV_MOUNT } from "../../model";

export const run: Command = async (argv, io) => {
  const args = parseArgs(argv, {
    manifest: { value: true },
    format: { value: true },
    concurrency: { value: true },
    "kv-mount": { value: true },
    now: { value: true },
  });
  const format = formatFlag(args, ["text", "json"] as const, "text");
  if (args.positionals.length > 0)
    throw new UsageError(
      `unexpected argument "${args.positionals[0]}" (the manifest goes after --manifest)`,
    );
  const now = nowFlag(args);
  const concurrency = concurrencyFlag(args);
  const manifestFile = args.get("manifest");
  const declared = manifestFile !== undefined ? declare(manifestFrom(io, manifestFile)) : undefined;
  const progress = progressFor(io);
  const client = vaultFromEnv(io, progress.line);

  const live = await scanVault(client, {
    kvMount: args.get("kv-mount") ?? declared?.kvMount ?? DEFAULT_KV_MOUNT,
    ...(declared ? { authMounts: declared.authMounts } : {}),
    concurrency,
    now: () => now,
    progress: progress.line,
  });
  progress.clear();
  const inventory = buildInventory(live, declared);
  io.out(
    format === "json" ? JSON.stringify(inventory, null, 2) + "\n" : renderInventoryText(inventory),
  );
  return live.unread.length > 0 ? reportUnread(io, "inventory", live.unread) : 0;
};
