/**
 * The audit report as one self-contained HTML file: inline CSS and SVG, no script, no font or
 * image fetched (a Content-Security-Policy forbids any network use), readable on a phone. Every
 * value from the logs or the manifest is escaped — a path in an audit log is attacker-chosen text.
 */
import type { Anomaly, AuditReport, NeedUsage, PolicyProposal } from "./report-types";

const DAY = 86_400_000;

export function renderAuditHtml(r: AuditReport): string {
  const title = `Vault audit review — ${r.window.since.slice(0, 10)} to ${r.window.until.slice(0, 10)}`;
  const counters = [
    ["anomalies", r.anomalies.length, r.anomalies.length ? "bad" : "ok"],
    ["unused grants", r.unused.length, r.unused.length ? "warn" : "ok"],
    ["narrower policies", r.proposals.length, r.proposals.length ? "warn" : "ok"],
    ["needs", r.needs.length, ""],
    ["requests read", r.stats.requests, ""],
  ] as const;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>Vault audit review</h1>
<p class="sub">${esc(r.window.since.slice(0, 10))} → ${esc(r.window.until.slice(0, 10))} (${r.window.days} days) · manifest <code>${esc(r.manifest)}</code></p>
<ul class="counters">${counters
    .map(
      ([label, n, cls]) =>
        `<li class="${cls}"><b>${n.toLocaleString("en")}</b><span>${label}</span></li>`,
    )
    .join("")}</ul>
</header>
<main>
${section("Anomalies", "anomalies", r.anomalies.length ? `<ul class="list">${r.anomalies.map(anomaly).join("")}</ul>` : `<p class="ok-text">None in this window.</p>`)}
${section("Revocation candidates", "unused", unusedList(r))}
${section("Review dates by owner", "timeline", timelines(r))}
${section("Needs", "needs", `<div class="grid">${r.needs.map((n) => needCard(n, r)).join("")}</div>`)}
${section("How the logs were read", "logs", logsSection(r))}
</main>
<footer>tokenwarden audit · generated from Vault file-audit logs; no client token or request data is shown.</footer>
</body>
</html>
`;
}

function section(title: string, id: string, body: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>${body}</section>`;
}

function anomaly(a: Anomaly): string {
  const who = a.need ?? (a.consumer ? `consumer ${a.consumer}` : a.rule === "TW074" ? "root" : "—");
  const when = a.count > 1 ? `${a.count}× · ${fmt(a.first)} → ${fmt(a.last)}` : fmt(a.last);
  return `<li class="anomaly ${a.severity}"><span class="tag">${a.rule}</span><b>${esc(who)}</b> ${esc(a.message)}<br><small>${esc(when)}${a.owner ? " · " + esc(a.owner) : ""}${a.token ? " · token " + esc(a.token) : ""}</small></li>`;
}

function unusedList(r: AuditReport): string {
  if (r.unused.length === 0) return `<p class="ok-text">Every grant was used in this window.</p>`;
  return `<ul class="list">${r.unused
    .map((name) => {
      const n = r.needs.find((x) => x.need === name);
      const last = n?.lastUse
        ? `last used ${fmt(n.lastUse)}, before the window`
        : "no use in the logs read";
      return `<li class="anomaly warn"><span class="tag">TW075</span><b>${esc(name)}</b> ${esc(last)}<br><small>consumer ${esc(n?.consumer ?? "")} · owner ${esc(n?.owner ?? "none")}</small></li>`;
    })
    .join("")}</ul>`;
}

/** One small SVG per owner: a bar per need from the window's start to its review date. */
function timelines(r: AuditReport): string {
  const until = Date.parse(r.window.until);
  const since = Date.parse(r.window.since);
  const dated = r.needs.filter((n) => n.expires !== undefined);
  if (dated.length === 0) return `<p>No need has a review date.</p>`;
  const ends = dated.map((n) => Date.parse(n.expires as string) + DAY);
  const lo = Math.min(since, ...ends);
  const hi = Math.max(until + 30 * DAY, ...ends);
  const byOwner = new Map<string, NeedUsage[]>();
  for (const n of dated) {
    const k = n.owner ?? "(no owner)";
    byOwner.set(k, [...(byOwner.get(k) ?? []), n]);
  }
  const W = 360;
  const L = 4;
  const x = (t: number) => L + ((t - lo) / (hi - lo)) * (W - 2 * L);
  const figs: string[] = [];
  for (const [owner, needs] of [...byOwner.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const rowH = 30;
    const top = 14; // room for the "today" label above the rows
    const H = top + needs.length * rowH + 16;
    const rows = needs
      .sort((a, b) => (a.expires as string).localeCompare(b.expires as string))
      .map((n, i) => {
        const end = Date.parse(n.expires as string) + DAY;
        const status = end <= until ? "lapsed" : end - until <= 30 * DAY ? "soon" : "fine";
        const y = top + i * rowH;
        const label = `${n.need} · ${n.expires} · ${status === "lapsed" ? "lapsed" : status === "soon" ? "due within 30 days" : "ok"}`;
        return `<text x="${L}" y="${y + 9}" class="lbl">${esc(label)}</text><rect x="${x(lo).toFixed(1)}" y="${y + 13}" width="${Math.max(2, x(end) - x(lo)).toFixed(1)}" height="8" rx="3" class="bar ${status}"><title>${esc(label)}</title></rect>`;
      })
      .join("");
    const nowX = x(until).toFixed(1);
    const axisY = H - 12;
    // (the start and end dates sit under the axis, "today" above the rows: they never overlap)
    figs.push(
      `<figure><figcaption>${esc(owner)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="review dates for ${esc(owner)}">${rows}<line x1="${nowX}" x2="${nowX}" y1="${top - 2}" y2="${axisY}" class="now"/><text x="${nowX}" y="9" class="axis now-lbl" text-anchor="${Number(nowX) > W / 2 ? "end" : "start"}">today ${esc(r.window.until.slice(0, 10))}</text><text x="${L}" y="${axisY + 10}" class="axis">${new Date(lo).toISOString().slice(0, 10)}</text><text x="${W - L}" y="${axisY + 10}" class="axis" text-anchor="end">${new Date(hi).toISOString().slice(0, 10)}</text></svg></figure>`,
    );
  }
  return `<div class="grid">${figs.join("")}</div><p class="legend"><span class="sw fine"></span>ok <span class="sw soon"></span>due within 30 days <span class="sw lapsed"></span>lapsed</p>`;
}

/** Daily successful uses as a bar chart. */
function usageChart(n: NeedUsage): string {
  const W = 300;
  const H = 60;
  const max = Math.max(1, ...n.daily);
  const bw = W / Math.max(1, n.daily.length);
  const bars = n.daily
    .map((v, i) => {
      const h = v === 0 ? 0 : Math.max(1.5, (v / max) * (H - 14));
      return `<rect x="${(i * bw + 0.5).toFixed(1)}" y="${(H - 12 - h).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${h.toFixed(1)}" class="use"><title>day ${i + 1}: ${v}</title></rect>`;
    })
    .join("");
  return `<svg viewBox="0 0 ${W} ${H}" class="chart" role="img" aria-label="daily uses of ${esc(n.need)}, peak ${max}">${bars}<line x1="0" x2="${W}" y1="${H - 12}" y2="${H - 12}" class="base"/><text x="0" y="${H - 1}" class="axis">${n.daily.length} days</text><text x="${W}" y="${H - 1}" class="axis" text-anchor="end">peak ${max}/day</text></svg>`;
}

function needCard(n: NeedUsage, r: AuditReport): string {
  const unused = n.uses === 0;
  const proposal = r.proposals.find((p) => p.need === n.need);
  const rules = n.rules
    .map((rule) => {
      const caps = rule.granted
        .map(
          (c) => `<span class="cap ${rule.used.includes(c) ? "used" : "unused"}">${esc(c)}</span>`,
        )
        .join(" ");
      return `<tr><td><code>${esc(rule.path)}</code></td><td>${caps}</td><td>${rule.paths.length}${rule.morePaths ? "+" : ""}</td></tr>`;
    })
    .join("");
  const tokens = n.tokens
    .slice(0, 5)
    .map(
      (t) =>
        `<li><code>${esc(t.token)}</code> <small>(${t.identifiedBy}) last ${esc(fmt(t.lastUse))} · ${t.uses} uses</small></li>`,
    )
    .join("");
  return `<article class="need${unused ? " unused" : ""}">
<h3>${esc(n.need)}${unused ? ` <span class="badge warn">unused</span>` : ""}${proposal ? ` <span class="badge">narrower policy</span>` : ""}</h3>
<p class="meta">${esc(n.consumer)} · ${esc(n.provider)} · ${esc(n.access)}<br>owner ${esc(n.owner ?? "none")}${n.expires ? ` · review ${esc(n.expires)}` : ""}</p>
<p class="stats"><b>${n.uses.toLocaleString("en")}</b> uses · last ${esc(n.lastUse ? fmt(n.lastUse) : "never")}${n.denied ? ` · <span class="bad-text">${n.denied} denied</span>` : ""}</p>
${usageChart(n)}
<table><thead><tr><th>granted path</th><th>capabilities (used bold)</th><th>paths</th></tr></thead><tbody>${rules}</tbody></table>
${tokens ? `<details><summary>${n.tokens.length} token(s)</summary><ul class="tokens">${tokens}</ul></details>` : ""}
${n.remoteAddresses.length ? `<p class="meta">from ${n.remoteAddresses.slice(0, 8).map(esc).join(", ")}${n.remoteAddresses.length > 8 ? " …" : ""}</p>` : ""}
${proposal ? proposalBlock(proposal) : ""}
</article>`;
}

function proposalBlock(p: PolicyProposal): string {
  return `<details class="proposal"><summary>Proposed policy (TW076)</summary><ul>${p.changes.map((c) => `<li>${esc(c)}</li>`).join("")}</ul><p>${esc(p.policy)}:</p><pre>${esc(p.proposedHcl)}</pre><p>Manifest change at <code>${esc(p.location)}</code>:</p><pre class="diff">${p.manifestDiff
    .split("\n")
    .map((l) =>
      l.startsWith("+")
        ? `<ins>${esc(l)}</ins>`
        : l.startsWith("-")
          ? `<del>${esc(l)}</del>`
          : esc(l),
    )
    .join("\n")}</pre></details>`;
}

function logsSection(r: AuditReport): string {
  const s = r.stats;
  const rows = r.devices
    .map(
      (d) =>
        `<li><b>${esc(d.name)}</b>: ${d.entries.toLocaleString("en")} entries, accessors ${d.accessors} — ${d.files.map((f) => `<code>${esc(f)}</code>`).join(", ")}</li>`,
    )
    .join("");
  const probs = r.problems.examples
    .slice(0, 20)
    .map((p) => `<li><code>${esc(p.file)}:${p.line}</code> ${esc(p.problem)}</li>`)
    .join("");
  return `<ul class="plain">${rows}</ul>
<p>${s.lines.toLocaleString("en")} lines · ${s.requests.toLocaleString("en")} requests · ${s.responses.toLocaleString("en")} responses · ${s.duplicates.toLocaleString("en")} duplicates across devices counted once · ${s.requestsWithoutResponse} requests without a response</p>
<ul class="plain">${r.accessorMatching.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>
${r.problems.count ? `<p class="bad-text">${r.problems.count} line(s) skipped:</p><ul class="plain">${probs}</ul>` : "<p>No malformed lines.</p>"}`;
}

function fmt(isoTime: string): string {
  return isoTime.slice(0, 16).replace("T", " ");
}

export function esc(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const CSS = `
:root{--bg:#f6f7f9;--fg:#1b1f24;--mut:#5b6470;--card:#fff;--line:#dde1e6;--ok:#1f883d;--warn:#b76e00;--bad:#cf222e;--acc:#0969da}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;-webkit-text-size-adjust:100%}
header,main,footer{max-width:1040px;margin:0 auto;padding:12px 14px}
h1{font-size:1.45rem;margin:.2em 0}
h2{font-size:1.15rem;margin:1.2em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
h3{font-size:1rem;margin:0 0 .3em;word-break:break-word}
.sub,.meta,small,footer{color:var(--mut)}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.counters{display:flex;flex-wrap:wrap;gap:8px;padding:0;margin:10px 0;list-style:none}
.counters li{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px 10px;min-width:92px;flex:1 1 92px}
.counters b{display:block;font-size:1.3rem}
.counters span{font-size:.8rem;color:var(--mut)}
.counters .bad b{color:var(--bad)}.counters .warn b{color:var(--warn)}.counters .ok b{color:var(--ok)}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}
article,figure,.list li{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px;margin:0}
article.unused{border-left:4px solid var(--warn)}
.list{list-style:none;padding:0;display:grid;gap:8px}
.anomaly.deny{border-left:4px solid var(--bad)}.anomaly.warn{border-left:4px solid var(--warn)}
.tag{display:inline-block;font:600 11px ui-monospace,monospace;background:#eef1f4;border-radius:4px;padding:1px 5px;margin-right:6px}
.badge{font-size:11px;background:#ddf4ff;color:var(--acc);border-radius:10px;padding:1px 7px;vertical-align:middle}
.badge.warn{background:#fff1d6;color:var(--warn)}
.stats{margin:.3em 0}
.bad-text{color:var(--bad)}.ok-text{color:var(--ok)}
figcaption{font-weight:600;margin-bottom:4px;word-break:break-word}
svg{width:100%;height:auto;display:block}
svg .lbl{font:10px system-ui,sans-serif;fill:var(--fg)}
svg .axis{font:9px system-ui,sans-serif;fill:var(--mut)}
svg .bar.fine{fill:var(--ok)}svg .bar.soon{fill:var(--warn)}svg .bar.lapsed{fill:var(--bad)}
svg .now{stroke:var(--acc);stroke-dasharray:3 2}
svg .use{fill:var(--acc)}svg .base{stroke:var(--line)}
.legend{font-size:.85rem;color:var(--mut)}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 3px 0 10px;vertical-align:middle}
.sw.fine{background:var(--ok)}.sw.soon{background:var(--warn)}.sw.lapsed{background:var(--bad)}
table{width:100%;border-collapse:collapse;margin:.5em 0;font-size:.85rem;table-layout:fixed}
th,td{text-align:left;border-top:1px solid var(--line);padding:4px 4px;vertical-align:top}
th:last-child,td:last-child{width:3.2em}
.cap{font:11px ui-monospace,monospace;padding:0 3px;border-radius:3px}
.cap.used{font-weight:700;background:#dafbe1}.cap.unused{color:var(--mut);text-decoration:line-through}
details{margin:.4em 0}summary{cursor:pointer;color:var(--acc)}
pre{background:#f0f2f5;border-radius:6px;padding:8px;overflow-x:auto;font:12px/1.4 ui-monospace,monospace}
pre ins{color:var(--ok);text-decoration:none}pre del{color:var(--bad);text-decoration:none}
.tokens,.plain{padding-left:1.1em}
@media (max-width:520px){body{font-size:14px}.grid{grid-template-columns:1fr}header,main,footer{padding:10px}}
`;
