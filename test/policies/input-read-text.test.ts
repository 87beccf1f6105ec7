import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadInput, readText } from "../../policies/input/load";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-read-text-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array | string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe("readText (the ASCII fast path of reading an input)", () => {
  const cases: [string, Uint8Array | string][] = [
    ["empty", ""],
    [
      "ascii",
      "version: 1\nneeds: []\n# every ASCII byte: " + String.fromCharCode(...Array(128).keys()),
    ],
    ["latin-1 range", "owner: José <jose@example.com>\n"],
    ["byte-order mark", "\ufeffversion: 1\n"],
    ["astral", "justification: 🚀 launch\n"],
    ["invalid UTF-8", new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0xfe, 0xc3, 0x0a])],
    ["a lone high byte after ASCII", new Uint8Array([...Buffer.from("a".repeat(5000)), 0xe9])],
  ];
  for (const [name, bytes] of cases) {
    it(`gives what readFileSync(file, "utf8") gives: ${name}`, () => {
      const file = write(`${name.replace(/\W/g, "_")}.yaml`, bytes);
      expect(readText(file)).toBe(fs.readFileSync(file, "utf8"));
    });
  }

  it("reads a manifest with non-ASCII text to the same values", async () => {
    const file = write(
      "manifest.yaml",
      [
        "version: 1",
        "consumers:",
        "  - name: cafe",
        "    owner: josé@example.com",
        "    description: Café Zürich",
        "    auth: token",
        "providers:",
        "  - name: vault",
        "    kind: vault-token",
        "needs:",
        "  - name: buero-read",
        "    consumer: cafe",
        "    provider: vault",
        "    access: read",
        '    paths: [{ path: "secret/data/buero", capabilities: [read] }]',
        "    justification: Zürich 🚀",
        "    expires: 2027-01-01",
        "",
      ].join("\n"),
    );
    const loaded = await loadInput(file, { now: "2026-11-30T12:00:00Z" });
    expect(loaded.input.consumers[0].owner).toBe("josé@example.com");
    const given = await loadInput(file, {
      now: "2026-11-30T12:00:00Z",
      text: fs.readFileSync(file, "utf8"),
    });
    expect(loaded.input).toEqual(given.input);
    expect(loaded.input.needs[0].justification).toBe("Zürich 🚀");
  });
});
