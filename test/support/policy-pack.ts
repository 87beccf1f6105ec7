/**
 * The Pulumi policy pack as the engine drives it, for tests: resources shaped exactly as
 * @pulumi/policy's server hands them to a stack policy (inputs behind its unknown-checking proxy),
 * and every tokenwarden stack policy run over them, collecting what each reports.
 */
import type { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { tokenwardenPolicies, type PackConfig } from "../../policies/pack/policies";

// The engine's own wrapper around resource inputs (marked internal, so not in its type declarations).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy: <T>(props: T) => T;
};

/** A resource registered under the URN prefix `stack`, as a stack policy receives it. */
export function packResource(
  stack: string,
  type: string,
  name: string,
  props: Record<string, unknown>,
): PolicyResource {
  return {
    type,
    name,
    urn: `${stack}$${type}::${name}`,
    props: unknownCheckingProxy(props) as Record<string, unknown>,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  } as PolicyResource;
}

export interface PackReport {
  readonly policy: string;
  readonly level: string;
  readonly message: string;
  readonly urn?: string;
}

/** Runs every tokenwarden stack policy with the pack's config; returns each violation reported. */
export async function runPackPolicies(
  resources: PolicyResource[],
  config: PackConfig = {},
): Promise<PackReport[]> {
  const reported: PackReport[] = [];
  for (const p of tokenwardenPolicies() as StackValidationPolicy[]) {
    const args: StackValidationArgs = {
      resources,
      stackTags: new Map(),
      getConfig: <T extends object>() => config as T,
      notApplicable: () => {
        throw new Error("not applicable");
      },
    };
    await p.validateStack(args, (message, urn) =>
      reported.push({ policy: p.name, level: p.enforcementLevel ?? "", message, urn }),
    );
  }
  return reported;
}
