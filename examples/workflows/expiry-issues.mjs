#!/usr/bin/env node
// One GitHub issue per owner from `tokenwarden expiry --format json`, kept up to date rather than
// duplicated: each owner's issue has a stable title ("tokenwarden expiry: <owner>") and the label
// below; a run edits the open issue with that title, creates it when there is none, and closes the
// open issues of owners with nothing due any more. Talks to GitHub only through the `gh` CLI
// (GH_TOKEN in the environment, as Actions provides it).
//
//   node expiry-issues.mjs expiry.json            # sync issues with gh
//   node expiry-issues.mjs expiry.json --dry-run  # print what it would post, call nothing
//
// Plain JavaScript with no dependencies, so a workflow runs it without a build step. The
// expiry document holds names, dates and accessors only — never a token — and so do the bodies.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";

export const LABEL = "tokenwarden-expiry";
export const TITLE_PREFIX = "tokenwarden expiry: ";

const KIND_TEXT = {
  "token-expiry": "token ends",
  "review-date": "review date",
  "rotation-overdue": "rotation overdue",
  "provider-expiry": "provider expiry",
};

/** Markdown-safe table cell. */
function cell(s) {
  return String(s).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** [{owner, title, body}] — one per owner with anything due, in the document's order. */
export function issueBodies(doc) {
  if (!doc || !Array.isArray(doc.owners))
    throw new Error("not a `tokenwarden expiry --format json` document (no owners)");
  return doc.owners.map((g) => {
    const lines = [
      `<!-- tokenwarden-expiry owner=${g.owner} -->`,
      `Tokens and grants owned by **${cell(g.owner)}** that expire or fall due within ${doc.within} of ${doc.now}` +
        ` (Vault ${doc.vault}${doc.manifest ? `, manifest \`${doc.manifest}\`` : ""}).`,
      "",
      "| due | what | item | |",
      "| --- | --- | --- | --- |",
      ...g.items.map(
        (i) =>
          `| ${i.at} | ${KIND_TEXT[i.kind] ?? i.kind} | ${cell(i.message)} | ${i.overdue ? "**overdue**" : ""} |`,
      ),
      "",
      "What to do: rotate or re-issue with `pulumi up`, procure a new third-party token, or review the need and move its `expires` date in the manifest.",
      "This issue is rewritten by the scheduled expiry watch on every run and closed when nothing is due.",
    ];
    if (doc.complete === false) {
      lines.push(
        "",
        `> **Incomplete:** the watch could not read ${doc.unread.length} thing(s) from Vault; this list may be missing items.`,
      );
    }
    return { owner: g.owner, title: `${TITLE_PREFIX}${g.owner}`, body: lines.join("\n") + "\n" };
  });
}

function gh(args) {
  return execFileSync("gh", args, { encoding: "utf8" });
}

/** Edits, creates and closes issues so each owner with items has exactly one open issue. */
export function syncIssues(bodies, { log = (l) => process.stdout.write(l + "\n") } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "tw-expiry-"));
  try {
    gh([
      "label",
      "create",
      LABEL,
      "--color",
      "d93f0b",
      "--description",
      "tokenwarden expiry watch",
      "--force",
    ]);
  } catch {
    // The label exists already, or labels cannot be managed with this token: issues still work.
  }
  const open = JSON.parse(
    gh([
      "issue",
      "list",
      "--label",
      LABEL,
      "--state",
      "open",
      "--limit",
      "1000",
      "--json",
      "number,title",
    ]),
  );
  const byTitle = new Map(open.map((i) => [i.title, i.number]));
  bodies.forEach((b, n) => {
    const file = join(dir, `${n}.md`);
    writeFileSync(file, b.body);
    const existing = byTitle.get(b.title);
    if (existing !== undefined) {
      gh(["issue", "edit", String(existing), "--body-file", file]);
      log(`updated #${existing} ${b.title}`);
      byTitle.delete(b.title);
    } else {
      const url = gh([
        "issue",
        "create",
        "--title",
        b.title,
        "--body-file",
        file,
        "--label",
        LABEL,
      ]).trim();
      log(`created ${url} ${b.title}`);
    }
  });
  for (const [title, number] of byTitle) {
    if (!title.startsWith(TITLE_PREFIX)) continue;
    gh(["issue", "close", String(number), "--comment", "Nothing due for this owner any more."]);
    log(`closed #${number} ${title}`);
  }
}

function main(argv) {
  const [file, ...flags] = argv;
  if (!file) {
    process.stderr.write("usage: expiry-issues.mjs <expiry.json> [--dry-run]\n");
    return 2;
  }
  let doc;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    process.stderr.write(
      `expiry-issues: ${file}: ${e.code === "ENOENT" ? "no such file" : "not JSON"}\n`,
    );
    return 2;
  }
  let bodies;
  try {
    bodies = issueBodies(doc);
  } catch (e) {
    process.stderr.write(`expiry-issues: ${file}: ${e.message}\n`);
    return 2;
  }
  if (flags.includes("--dry-run")) {
    for (const b of bodies) process.stdout.write(`=== ${b.title}\n${b.body}\n`);
    return 0;
  }
  syncIssues(bodies);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  process.exitCode = main(process.argv.slice(2));
