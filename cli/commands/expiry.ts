/**
 * `tokenwarden expiry [--within 14d] [--manifest m.yaml] [--format text|json] [--now T]`: what
 * runs out or falls due within the window, grouped by owner — tokens near their end, needs whose
 * review date lapses, rotations overdue, third-party tokens near the expiry their provider gave
 * (KV custom metadata `expires`). Exit 0 when nothing is due, 1 when anything is, 2 on a usage or
 * input error or when part of Vault could not be read (what was read is still printed).
 * `--format json` is what examples/workflows/expiry-watch.yml turns into one issue per owner.
 */
import type { Command } from "../io";
import { byOwner, findExpiring, renderExpiryText } from "../../ops/lifecycle/expiry";
import {
  lifecycleArgs,
  lifecycleSession,
  reportUnread,
  withinFlag,
} from "../../ops/lifecycle/command-support";

export const run: Command = async (argv, io) => {
  const { args, format } = lifecycleArgs(argv, {
    formats: ["text", "json"],
    flags: { within: { value: true }, manifest: { value: true }, "kv-mount": { value: true } },
    positional: { unexpectedHint: " (the manifest goes after --manifest)" },
  });
  const within = withinFlag(args);
  const { now, declared, progress, scan } = lifecycleSession(io, args, {
    manifest: args.get("manifest"),
  });

  const live = await scan({ skip: { roles: true } });
  progress.clear();
  const groups = byOwner(
    findExpiring({ live, ...(declared ? { declared } : {}), now, withinSeconds: within.seconds }),
  );
  if (format === "json") {
    const doc = {
      now: new Date(now).toISOString(),
      within: within.text,
      within_seconds: within.seconds,
      vault: live.address,
      ...(declared ? { manifest: declared.manifest.source.file } : {}),
      complete: live.unread.length === 0,
      unread: live.unread,
      owners: groups,
      total: groups.reduce((n, g) => n + g.items.length, 0),
    };
    io.out(JSON.stringify(doc, null, 2) + "\n");
  } else {
    io.out(renderExpiryText(groups, within.text));
  }
  if (live.unread.length > 0) return reportUnread(io, "expiry", live.unread);
  return groups.length > 0 ? 1 : 0;
};
