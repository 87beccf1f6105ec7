/**
 * The opa-wasm backend: bundles compiled by `opa build -t wasm -e <entrypoint>` evaluate through
 * `@open-policy-agent/opa-wasm`, behind the same prepared-query shape as our own engine, so a user
 * who has OPA can run the exact artefact OPA produced.
 *
 * A bundle is a gzipped tar holding `/policy.wasm` and optionally `/data.json`; a bare
 * `policy.wasm` is accepted too. The tar reader is deliberately small: bundles are flat archives
 * of regular files.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import type { EvalOptions, ResultSet } from "./api-types";
import { RegoError } from "./errors";

export interface WasmBundle {
  readonly entrypoints: readonly string[];
  /** Prepare one entrypoint (e.g. "tokenwarden/findings"); evaluation is synchronous afterwards. */
  prepare(entrypoint: string): WasmPreparedQuery;
}

export interface WasmPreparedQuery {
  eval(opts?: Pick<EvalOptions, "input" | "data">): ResultSet;
}

interface LoadedPolicyLike {
  entrypoints: Record<string, number>;
  evaluate(input: unknown, entrypoint?: number | string): unknown;
  setData(data: object): void;
}

/** Reads the files of an uncompressed tar archive (ustar/GNU regular files only). */
export function readTar(buf: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let off = 0;
  while (off + 512 <= buf.length) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const name = cstr(header.subarray(0, 100));
    const prefix = cstr(header.subarray(345, 500));
    const size = parseInt(cstr(header.subarray(124, 136)).trim() || "0", 8);
    const type = String.fromCharCode(header[156] || 48);
    if (!Number.isFinite(size) || size < 0) throw new Error("corrupt tar header");
    const body = buf.subarray(off + 512, off + 512 + size);
    if (type === "0" || type === "\0") {
      const full = (prefix ? prefix + "/" + name : name).replace(/^\.?\//, "");
      files.set("/" + full, Buffer.from(body));
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

function cstr(b: Buffer): string {
  const z = b.indexOf(0);
  return b.subarray(0, z < 0 ? b.length : z).toString("utf8");
}

/** Extracts policy.wasm and data.json from a bundle file (tar.gz) or takes a bare .wasm file. */
export function readBundle(file: string): { wasm: Buffer; data?: unknown } {
  const raw = fs.readFileSync(file);
  if (raw.subarray(0, 4).equals(Buffer.from([0x00, 0x61, 0x73, 0x6d]))) return { wasm: raw };
  let tar: Buffer;
  try {
    tar = zlib.gunzipSync(raw);
  } catch {
    throw new RegoError([
      {
        code: "bundle_error",
        message: `${file}: neither a WebAssembly module nor a gzipped bundle`,
      },
    ]);
  }
  const files = readTar(tar);
  const wasm = files.get("/policy.wasm");
  if (!wasm) {
    throw new RegoError([
      {
        code: "bundle_error",
        message: `${file}: bundle has no /policy.wasm (build it with opa build -t wasm)`,
      },
    ]);
  }
  const dataBuf = files.get("/data.json");
  return { wasm, data: dataBuf ? JSON.parse(dataBuf.toString("utf8")) : undefined };
}

/** Loads an OPA wasm bundle. The wasm SDK is loaded lazily: only users of this backend pay for it. */
export async function loadWasmBundle(file: string): Promise<WasmBundle> {
  const { wasm, data } = readBundle(file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("@open-policy-agent/opa-wasm") as {
    loadPolicy(w: Uint8Array): Promise<LoadedPolicyLike>;
  };
  const policy = await sdk.loadPolicy(new Uint8Array(wasm));
  return wrap(policy, data);
}

/** Adapts a loaded opa-wasm policy to our result-set shape (exported for tests with a fake policy). */
export function wrap(policy: LoadedPolicyLike, bundleData: unknown): WasmBundle {
  const entrypoints = Object.keys(policy.entrypoints).sort();
  let currentData: unknown = Symbol("unset");
  return {
    entrypoints,
    prepare(entrypoint: string): WasmPreparedQuery {
      if (!(entrypoint in policy.entrypoints)) {
        throw new RegoError([
          {
            code: "bundle_error",
            message: `entrypoint "${entrypoint}" not in bundle (has: ${entrypoints.join(", ") || "none"})`,
          },
        ]);
      }
      return {
        eval(opts = {}): ResultSet {
          const data = mergeData(bundleData, opts.data);
          if (data !== currentData) {
            policy.setData((data ?? {}) as object);
            currentData = data;
          }
          const raw = policy.evaluate(opts.input ?? null, entrypoint) as
            { result: unknown }[] | null;
          const text = "data." + entrypoint.replace(/\//g, ".");
          return (raw ?? []).map((r) => ({
            expressions: [{ value: r.result, text, location: { row: 1, col: 1 } }],
            bindings: {},
          }));
        },
      };
    },
  };
}

function mergeData(a: unknown, b: unknown): unknown {
  if (b === undefined) return a;
  if (a === undefined) return b;
  if (isObj(a) && isObj(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeData(out[k], v) : v;
    return out;
  }
  return b;
}

function isObj(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
