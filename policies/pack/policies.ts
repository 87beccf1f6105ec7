/**
 * The policy pack's policies, separate from the pack entry (index.ts) so tests can call them with
 * resources shaped exactly as the engine passes them, without starting the analyzer server.
 *
 * One stack policy per enforcement level: the Rego rule set runs over a document built from
 * `args.resources`; `tokenwarden-deny` (mandatory) reports every deny against its URN, and
 * `tokenwarden-warn` (advisory) every warning. Both take the same config: organisation limits
 * (`maxTtl`, `maxRotation`, `maxNeedLifetime` as durations like "720h" or seconds) and `manifest`,
 * the access-needs file the stack was built from, which supplies the needs side of the document.
 */
import * as path from "node:path";
import type {
  PolicyResource,
  ReportViolation,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { loadManifest } from "../../model";
import { evaluate, loadPolicySet, packageRoot, type Evaluation } from "../evaluate";
import type { NeedsSide } from "../input/declaration";
import { ttlSeconds } from "../input/duration";
import { needsSideOf } from "../input/manifest";
import { pulumiResourcesToInput, type PulumiResourceLike } from "../input/pulumi";
import type { PolicyInput } from "../input/types";

export interface PackConfig {
  maxTtl?: string | number;
  maxRotation?: string | number;
  maxNeedLifetime?: string | number;
  /**
   * Access-needs manifest the stack is built from; a relative path is from the project's root
   * (see {@link projectRoot}).
   */
  manifest?: string;
  /** Extra organisation Rego dirs, as `tokenwarden check --policies`. */
  policies?: string[];
  /** The Rego version of those dirs (0: as `check --v0-compatible`); default 1. */
  regoVersion?: 0 | 1;
}

const durationOrSeconds = {
  oneOf: [
    { type: "string" as const, pattern: "^(\\d+[smhd])+$|^\\d+$" },
    { type: "integer" as const, minimum: 1 },
  ],
};

export const CONFIG_SCHEMA = {
  properties: {
    maxTtl: {
      ...durationOrSeconds,
      description: "Organisation ceiling on token TTLs (e.g. 720h).",
    },
    maxRotation: {
      ...durationOrSeconds,
      description: "Longest rotation period allowed (e.g. 90d).",
    },
    maxNeedLifetime: {
      ...durationOrSeconds,
      description: "Furthest review date allowed for a need, from now (e.g. 365d).",
    },
    manifest: {
      type: "string" as const,
      description: "access-needs.yaml the stack is built from: supplies the declared needs.",
    },
    policies: {
      type: "array" as const,
      items: { type: "string" as const },
      description: "Directories of the organisation's own Rego rules.",
    },
    regoVersion: {
      enum: [0, 1],
      description: "Rego version of the organisation's rules: 0 for Rego v0 (deny[msg] { … }).",
    },
  },
};

/**
 * The resource's inputs as the engine sent them. The engine wraps props in a proxy that throws on
 * unknown values; the raw object keeps Pulumi's unknown sentinels, which the normaliser reports.
 */
function rawProps(r: PolicyResource): Record<string, unknown> {
  const target = (r.props as Record<string, unknown> | undefined)?.["__getSpecialProxyTarget"];
  return (target ?? r.props ?? {}) as Record<string, unknown>;
}

/**
 * Where the pack config's relative paths start: the project that installed tokenwarden (the
 * directory holding the `node_modules` it sits in, when run as node_modules/tokenwarden/policies),
 * or the tokenwarden checkout itself when run from a clone.
 */
export function projectRoot(root: string = packageRoot()): string {
  const marker = `${path.sep}node_modules${path.sep}`;
  const at = root.indexOf(marker);
  return at >= 0 ? root.slice(0, at) : root;
}

/** Builds the policy document for the stack's resources under the given config. */
export async function stackInput(
  resources: readonly PolicyResource[],
  config: PackConfig,
  now: string = new Date().toISOString(),
): Promise<PolicyInput> {
  let declaration: NeedsSide | undefined;
  if (config.manifest) {
    const file = path.resolve(projectRoot(), config.manifest);
    declaration = needsSideOf(loadManifest(file), { now });
  }
  const like: PulumiResourceLike[] = resources.map((r) => ({
    type: r.type,
    urn: r.urn,
    name: r.name,
    props: rawProps(r),
  }));
  const input = await pulumiResourcesToInput(like, { now, declaration });
  // Pack config is the organisation's ceiling: a manifest may be stricter, never looser.
  const cap = (key: keyof PolicyInput["limits"], value: string | number | undefined) => {
    const s = ttlSeconds(value);
    if (s !== null) input.limits[key] = Math.min(input.limits[key], s);
  };
  if (!declaration) {
    // Without a manifest the config *is* the limits (the defaults only fill what it leaves out).
    const set = (key: keyof PolicyInput["limits"], value: string | number | undefined) => {
      const s = ttlSeconds(value);
      if (s !== null) input.limits[key] = s;
    };
    set("max_ttl_seconds", config.maxTtl);
    set("max_rotation_seconds", config.maxRotation);
    set("max_need_lifetime_seconds", config.maxNeedLifetime);
  } else {
    cap("max_ttl_seconds", config.maxTtl);
    cap("max_rotation_seconds", config.maxRotation);
    cap("max_need_lifetime_seconds", config.maxNeedLifetime);
  }
  return input;
}

/** Evaluates the stack once per distinct resource set and config, shared by both policies. */
const evaluations = new WeakMap<readonly PolicyResource[], Map<string, Promise<Evaluation>>>();

async function evaluateStack(args: StackValidationArgs): Promise<Evaluation> {
  const config = args.getConfig<PackConfig>();
  const key = JSON.stringify(config);
  let byConfig = evaluations.get(args.resources);
  if (!byConfig) {
    byConfig = new Map();
    evaluations.set(args.resources, byConfig);
  }
  let pending = byConfig.get(key);
  if (!pending) {
    pending = (async () => {
      const set = loadPolicySet({
        extraDirs: (config.policies ?? []).map((d) => path.resolve(projectRoot(), d)),
        v0Compatible: config.regoVersion === 0,
      });
      return evaluate(set, await stackInput(args.resources, config));
    })();
    byConfig.set(key, pending);
  }
  return pending;
}

function report(severity: "deny" | "warn") {
  return async (args: StackValidationArgs, reportViolation: ReportViolation) => {
    const evaluation = await evaluateStack(args);
    const urns = new Set(args.resources.map((r) => r.urn));
    for (const f of evaluation.findings) {
      if (f.severity !== severity) continue;
      const text = `${f.id}: ${f.message}`;
      // Findings on a need (not a resource) are reported against the stack as a whole.
      if (urns.has(f.source)) reportViolation(text, f.source);
      else reportViolation(f.source ? `${text} [${f.source}]` : text);
    }
    if (severity === "warn") {
      for (const w of evaluation.waived) {
        const text = `${w.id} waived until ${w.waiver.expires} (${w.waiver.reason}): ${w.message}`;
        if (urns.has(w.source)) reportViolation(text, w.source);
        else reportViolation(text);
      }
      for (const n of evaluation.notes) reportViolation(`note: ${n}`);
    }
  };
}

export function tokenwardenPolicies(): StackValidationPolicy[] {
  return [
    {
      name: "tokenwarden-deny",
      description:
        "Least privilege and rotation for Vault token grants (tokenwarden rules TW001–TW013): violations block the update.",
      enforcementLevel: "mandatory",
      configSchema: CONFIG_SCHEMA,
      validateStack: report("deny"),
    },
    {
      name: "tokenwarden-warn",
      description:
        "tokenwarden advisories (TW007 review dates, TW009 token lifetimes) and waived findings.",
      enforcementLevel: "advisory",
      configSchema: CONFIG_SCHEMA,
      validateStack: report("warn"),
    },
  ];
}
