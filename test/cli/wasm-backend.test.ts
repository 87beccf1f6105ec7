/**
 * The opa-wasm backend. Without the `opa` binary no real bundle can be compiled here, so the
 * differential test against OPA runs only where `opa` is on PATH; the bundle reading and the
 * result shaping are tested on their own.
 */
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { readTar, readBundle, wrap, loadWasmBundle } from "../../rego/wasm";
import { compile } from "../../rego";
import { loadManifest } from "../../model";
import { manifestToInput } from "../../policies/input/manifest";

function tarEntry(name: string, body: Buffer): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, "utf8");
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(body.length.toString(8).padStart(11, "0") + "\0", 124);
  h.write("00000000000\0", 136);
  h.write("        ", 148);
  h.write("0", 156);
  h.write("ustar\0", 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  const pad = Buffer.alloc(Math.ceil(body.length / 512) * 512 - body.length);
  return Buffer.concat([h, body, pad]);
}

describe("opa-wasm backend", () => {
  it("reads policy.wasm and data.json out of a gzipped bundle", () => {
    const wasm = Buffer.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const tar = Buffer.concat([
      tarEntry("/data.json", Buffer.from('{"a":{"b":1}}')),
      tarEntry("/policy.wasm", wasm),
      Buffer.alloc(1024),
    ]);
    expect([...readTar(tar).keys()]).toEqual(["/data.json", "/policy.wasm"]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-wasm-"));
    const file = path.join(dir, "bundle.tar.gz");
    fs.writeFileSync(file, zlib.gzipSync(tar));
    const b = readBundle(file);
    expect(b.wasm.equals(wasm)).toBe(true);
    expect(b.data).toEqual({ a: { b: 1 } });
  });

  it("refuses a file that is neither wasm nor a bundle, with a Rego error", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-wasm-"));
    const file = path.join(dir, "junk.bin");
    fs.writeFileSync(file, "not a bundle");
    expect(() => readBundle(file)).toThrow(/neither a WebAssembly module nor a gzipped bundle/);
  });

  it("shapes opa-wasm results like our engine's result set and passes data once", () => {
    const calls: string[] = [];
    const fake = {
      entrypoints: { "authz/allow": 0 },
      setData: (d: object) => calls.push("setData " + JSON.stringify(d)),
      evaluate: (input: unknown, ep?: number | string) => {
        calls.push(`evaluate ${JSON.stringify(input)} ${ep}`);
        return [{ result: true }];
      },
    };
    const q = wrap(fake, { authz: { admins: ["alice"] } }).prepare("authz/allow");
    expect(q.eval({ input: { user: "alice" } })).toEqual([
      {
        expressions: [{ value: true, text: "data.authz.allow", location: { row: 1, col: 1 } }],
        bindings: {},
      },
    ]);
    q.eval({ input: { user: "bob" } });
    expect(calls.filter((c) => c.startsWith("setData"))).toHaveLength(1);
    expect(() => wrap(fake, undefined).prepare("nope")).toThrow(/entrypoint "nope" not in bundle/);
  });

  const opa = spawnSync("opa", ["version"], { encoding: "utf8" });
  const haveOpa = opa.status === 0;
  if (!haveOpa)
    console.warn(
      "skip: differential wasm test needs the `opa` binary on PATH (not installable here)",
    );
  it.skipIf(!haveOpa)(
    "agrees with our engine on the same policy and inputs (needs `opa` on PATH)",
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-opa-"));
      const src = fs.readFileSync(path.resolve(__dirname, "../fixtures/rego/authz.rego"), "utf8");
      fs.writeFileSync(path.join(dir, "authz.rego"), src);
      execFileSync("opa", [
        "build",
        "-t",
        "wasm",
        "-e",
        "authz/allow",
        "-o",
        path.join(dir, "b.tar.gz"),
        dir,
      ]);
      const bundle = await loadWasmBundle(path.join(dir, "b.tar.gz"));
      const ours = compile([{ file: "authz.rego", source: src }]).prepare("data.authz.allow");
      const theirs = bundle.prepare("authz/allow");
      const data = { authz: { admins: ["alice"] } };
      for (const input of [
        { user: "alice", method: "POST", path: "/x" },
        { user: "bob", method: "GET", path: "/public/a" },
        { user: "bob", method: "POST", path: "/x" },
      ]) {
        expect(theirs.eval({ input, data })[0].expressions[0].value).toEqual(
          ours.eval({ input, data })[0].expressions[0].value,
        );
      }
    },
  );

  it.skipIf(!haveOpa)(
    "agrees with our engine on the project's policies (needs `opa` on PATH)",
    async () => {
      const root = path.resolve(__dirname, "../..");
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-opa-"));
      const regoFiles = fs
        .readdirSync(path.join(root, "policies"))
        .filter((f) => f.endsWith(".rego") && !f.endsWith("_test.rego"))
        .map((f) => path.join(root, "policies", f));
      const out = path.join(dir, "policies.tar.gz");
      execFileSync("opa", [
        "build",
        "-t",
        "wasm",
        "-e",
        "tokenwarden/findings",
        "-o",
        out,
        ...regoFiles,
        path.join(root, "policies/data.json"),
      ]);
      const theirs = (await loadWasmBundle(out)).prepare("tokenwarden/findings");
      const ours = compile(
        regoFiles.map((f) => ({ file: f, source: fs.readFileSync(f, "utf8") })),
      ).prepare("data.tokenwarden.findings");
      const data = JSON.parse(fs.readFileSync(path.join(root, "policies/data.json"), "utf8"));
      for (const manifest of [
        "examples/access-needs.yaml",
        "examples/violations/access-needs.yaml",
      ]) {
        const input = manifestToInput(loadManifest(path.join(root, manifest)), {
          now: "2026-11-30T12:00:00Z",
        });
        const a = theirs.eval({ input })[0]?.expressions[0]?.value;
        const b = ours.eval({ input, data })[0]?.expressions[0]?.value;
        expect(a).toEqual(b);
      }
    },
  );
});
