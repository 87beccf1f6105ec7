/**
 * The HTML report opened in a real browser (Chromium from Debian's packages, headless) at a phone's
 * viewport: it renders its content, fits the screen without sideways scrolling, fetches nothing,
 * and shows attacker-chosen text from the logs as text. The screenshot is kept for people to look
 * at; its path is printed. Under CI=true a missing Chromium fails; elsewhere the test is skipped
 * and says so.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../../support/run-cli";
import { END, FIXTURE_MANIFEST, generate, outputDir, type Generated } from "./helpers";

const PHONE = { width: 390, height: 844 };

function findChromium(): string | undefined {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const dir of (process.env.PATH ?? "").split(delimiter))
    for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
      try {
        if (statSync(join(dir, name)).isFile()) return join(dir, name);
      } catch {
        /* not here */
      }
    }
  return undefined;
}

const chromium = findChromium();
const ci = process.env.CI === "true";

function browse(args: string[], profile: string): Promise<string> {
  const flags = [
    "--headless",
    "--no-sandbox", // CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--no-first-run",
    "--hide-scrollbars",
    `--user-data-dir=${profile}`,
    ...args,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      chromium as string,
      flags,
      {
        timeout: 90_000,
        maxBuffer: 16 << 20,
        env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: "disabled:" },
      },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr.slice(-2000)}`)) : resolve(stdout),
    );
  });
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  expect(b.subarray(1, 4).toString("latin1")).toBe("PNG");
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

if (!chromium && ci) {
  it("HTML report in headless Chromium", () => {
    throw new Error(
      "chromium is not installed but CI=true: install it (apt-get install -y chromium) — .ci/run does",
    );
  });
} else if (!chromium) {
  it.skip("HTML report in headless Chromium — SKIPPED: no chromium on PATH (apt-get install chromium, or set CHROMIUM)", () => {});
} else {
  describe("HTML report in headless Chromium at a phone's viewport", () => {
    let g: Generated;
    let out: string;
    let html: string;
    let profile: string;
    const hostile = "secret/data/<img src=x onerror=alert(1)>/<script>alert(2)</script>";
    beforeAll(async () => {
      g = generate({ requests: 1500, problems: true });
      // A request whose path is attacker-chosen markup: it must come out as text.
      const evil = join(g.dir, "evil.log");
      const entry = {
        time: "2026-11-29T10:00:00.000Z",
        type: "response",
        auth: {
          accessor: "evil-accessor",
          policies: ["tw-reports-db"],
          metadata: { need: "reports-db" },
          display_name: "<b>x</b>",
        },
        request: { id: "evil-1", operation: "read", path: hostile, remote_address: "10.3.0.10" },
        error: "permission denied",
      };
      writeFileSync(evil, JSON.stringify(entry) + "\n");
      out = outputDir("html");
      profile = mkdtempSync(join(tmpdir(), "tw-chromium-"));
      const r = await runMain(
        [
          "audit",
          ...g.files,
          evil,
          "--manifest",
          FIXTURE_MANIFEST,
          "--now",
          END,
          "--format",
          "html",
          "--out",
          join(out, "report.html"),
        ],
        g.dir,
      );
      expect(r.code).toBe(1);
      html = readFileSync(join(out, "report.html"), "utf8");
    });
    afterAll(() => {
      g.cleanup();
      rmSync(profile, { recursive: true, force: true });
    });

    it("is one file that fetches nothing: no script, stylesheet link, font or remote URL", () => {
      expect(html).not.toMatch(/<script|<link|@import|url\(|<iframe|<img/i);
      expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
      expect(html).toContain(
        `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`,
      );
    });

    it("renders its content in the browser, log text escaped", async () => {
      const dom = await browse(["--dump-dom", `file://${join(out, "report.html")}`], profile);
      expect(dom).toContain("<h1>Vault audit review</h1>");
      for (const need of [
        "billing-vault-config",
        "billing-stripe-charges",
        "web-session-keys",
        "reports-db",
        "legacy-export",
      ])
        expect(dom).toMatch(new RegExp(`<h3>${need}[ <]`));
      expect(dom).toContain("TW075</span><b>legacy-export</b>");
      expect(dom).toMatch(/TW074<\/span>/);
      expect((dom.match(/<svg /g) ?? []).length).toBe(5 + 3); // a chart per need, a timeline per owner
      // The hostile path is shown as text; the browser made no element of it.
      expect(dom).toContain(
        "secret/data/&lt;img src=x onerror=alert(1)&gt;/&lt;script&gt;alert(2)&lt;/script&gt;",
      );
      expect(dom).not.toMatch(/<script|<img/i);
    });

    it("fits a phone's width without sideways scrolling", async () => {
      const probe = join(out, "probe.html");
      // A page of our own frames the report at the phone's width and reads its layout (the report
      // itself runs no script: its Content-Security-Policy forbids it).
      writeFileSync(
        probe,
        `<!doctype html><body style="margin:0"><iframe id="f" src="report.html" style="width:${PHONE.width}px;height:${PHONE.height}px;border:0"></iframe><script>
document.getElementById("f").addEventListener("load", function () {
  var d = this.contentDocument, e = d.documentElement, widest = 0;
  d.querySelectorAll("article, figure, pre, table, svg").forEach(function (n) { widest = Math.max(widest, n.getBoundingClientRect().right); });
  var p = document.createElement("pre"); p.id = "probe";
  p.textContent = JSON.stringify({ scrollWidth: e.scrollWidth, clientWidth: e.clientWidth, widest: Math.ceil(widest), cards: d.querySelectorAll("article").length, fontPx: parseFloat(getComputedStyle(d.body).fontSize) });
  document.body.appendChild(p);
});
</script></body>`,
      );
      const dom = await browse(
        ["--allow-file-access-from-files", "--dump-dom", `file://${probe}`],
        profile,
      );
      const m = /<pre id="probe">([^<]*)<\/pre>/.exec(dom);
      expect(m, "the probe could not read the report's layout").not.toBeNull();
      const layout = JSON.parse((m as RegExpExecArray)[1].replace(/&quot;/g, '"')) as Record<
        string,
        number
      >;
      expect(layout.cards).toBe(5);
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.clientWidth);
      expect(layout.widest).toBeLessThanOrEqual(layout.clientWidth);
      expect(layout.fontPx).toBeGreaterThanOrEqual(14);
    });

    it("takes a phone-sized screenshot (kept in the test output)", async () => {
      const shot = join(out, "report-phone.png");
      await browse(
        [
          `--screenshot=${shot}`,
          `--window-size=${PHONE.width},${PHONE.height}`,
          `file://${join(out, "report.html")}`,
        ],
        profile,
      );
      expect(pngSize(shot)).toEqual(PHONE);
      expect(statSync(shot).size).toBeGreaterThan(20_000); // a rendered page, not a blank one
      console.log(`audit HTML report: ${join(out, "report.html")}\nphone screenshot: ${shot}`);
    });
  });
}
