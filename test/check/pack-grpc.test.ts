/**
 * The policy pack as `pulumi preview --policy-pack policies` runs it: Pulumi's own policy-pack
 * launcher (@pulumi/pulumi/cmd/run-policy-pack) starts the compiled entry named by
 * policies/PulumiPolicy.yaml with the pack directory as working directory; the pack prints its
 * gRPC port; the engine then calls Configure and AnalyzeStack with Pulumi's protocol messages.
 * Needs `npm run build` (npm test runs it first).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { load as loadYaml } from "js-yaml";
import { CANARY, REPO } from "./helpers";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const PACK_DIR = path.join(REPO, "policies");
const packYaml = loadYaml(fs.readFileSync(path.join(PACK_DIR, "PulumiPolicy.yaml"), "utf8")) as {
  main: string;
  runtime: string;
};
const ENTRY = path.resolve(PACK_DIR, packYaml.main, "index.js");
const built = fs.existsSync(ENTRY);
if (!built && process.env.CI === "true")
  throw new Error(`${ENTRY} missing: run npm run build first`);
if (!built)
  console.warn(`skipping the gRPC policy-pack test: ${ENTRY} is not built (npm run build)`);

const protoDir = path.dirname(require.resolve("@pulumi/pulumi/proto/analyzer_pb"));
// The message classes must come from the same module instances @pulumi/pulumi uses.
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [protoDir] }));
const pb = require("@pulumi/pulumi/proto/analyzer_pb");
const rpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const grpc = fromPulumi("@grpc/grpc-js");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb.js");
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb.js");

let child: ChildProcess;
let client: any;
let stderr = "";

function call<T>(method: string, req: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))),
  );
}

function resource(type: string, name: string, props: Record<string, unknown>) {
  const r = new pb.AnalyzerResource();
  r.setType(type);
  r.setName(name);
  r.setUrn(`urn:pulumi:dev::tokenwarden::${type}::${name}`);
  r.setProperties(Struct.fromJavaScript(props));
  const opts = new pb.AnalyzerResourceOptions();
  opts.setProtect(false);
  r.setOptions(opts);
  return r;
}

describe.skipIf(!built)("policy pack over Pulumi's analyzer gRPC protocol", () => {
  beforeAll(async () => {
    expect(packYaml.runtime).toBe("nodejs");
    const launcher = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
    child = spawn(process.execPath, [launcher, "127.0.0.1:0", packYaml.main], {
      cwd: PACK_DIR,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr?.on("data", (d) => (stderr += String(d)));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (d) => {
        out += String(d);
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on("exit", (code) => reject(new Error(`pack exited with ${code}: ${stderr}`)));
      setTimeout(() => reject(new Error(`no port within 20s: ${stderr}`)), 20_000);
    });
    client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }, 30_000);

  afterAll(() => {
    client?.close();
    child?.kill();
  });

  it("describes the pack and its two policies (GetAnalyzerInfo)", async () => {
    const info: any = await call("getAnalyzerInfo", new Empty());
    expect(info.getName()).toBe("tokenwarden");
    const policies = info.getPoliciesList().map((p: any) => [p.getName(), p.getEnforcementlevel()]);
    expect(policies).toEqual([
      ["tokenwarden-deny", pb.EnforcementLevel.MANDATORY],
      ["tokenwarden-warn", pb.EnforcementLevel.ADVISORY],
    ]);
  });

  it("AnalyzeStack reports denies as mandatory against the URN, honouring the configured limits", async () => {
    const conf = new pb.ConfigureAnalyzerRequest();
    const pc = new pb.PolicyConfig();
    pc.setEnforcementlevel(pb.EnforcementLevel.MANDATORY);
    pc.setProperties(Struct.fromJavaScript({ maxTtl: "2h" }));
    conf.getPolicyconfigMap().set("tokenwarden-deny", pc);
    await call("configure", conf);

    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList([
      resource("vault:index/policy:Policy", "tw-wide", {
        name: "tw-wide",
        policy: 'path "secret/*" {\n  capabilities = ["read"]\n}\n',
      }),
      resource("vault:jwt/authBackendRole:AuthBackendRole", "deploy", {
        roleName: "deploy",
        tokenPolicies: ["tw-wide"],
        tokenTtl: 3600,
        tokenMaxTtl: 36000,
      }),
      resource("vault:kv/secretV2:SecretV2", "entry", {
        mount: "tokens",
        name: "x/y",
        dataJson: JSON.stringify({ t: CANARY }),
      }),
    ]);
    const res: any = await call("analyzeStack", req);
    const diags = res.getDiagnosticsList().map((d: any) => ({
      policy: d.getPolicyname(),
      message: d.getMessage(),
      urn: d.getUrn(),
      level: d.getEnforcementlevel(),
    }));
    // The engine's message is the policy description, a newline, then what the policy reported.
    const wide = diags.find((d: any) => d.message.includes("\nTW001: "));
    expect(wide).toMatchObject({
      policy: "tokenwarden-deny",
      urn: "urn:pulumi:dev::tokenwarden::vault:index/policy:Policy::tw-wide",
      level: pb.EnforcementLevel.MANDATORY,
    });
    const ttl = diags.find((d: any) => d.message.includes("\nTW004: "));
    expect(ttl?.message).toContain("above the organisation limit of 2h");
    expect(ttl?.urn).toBe(
      "urn:pulumi:dev::tokenwarden::vault:jwt/authBackendRole:AuthBackendRole::deploy",
    );
    expect(JSON.stringify(diags)).not.toContain(CANARY);
  });
});
