/**
 * Login-binding values as Vault reads them, shared by the manifest path and the resource adapters
 * (kept apart from resources.ts so the manifest path does not load the HCL parser).
 */
import { isRecord } from "./declaration";

/**
 * Vault reads a bound claim's string value as a comma-separated list of allowed values (unless
 * `disable_bound_claims_parsing`); a list is taken as it is.
 */
export function boundClaims(v: unknown, noParsing: boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!isRecord(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === "string") out[k] = noParsing ? [x] : x.split(",").map((s) => s.trim());
    else if (Array.isArray(x)) out[k] = x.filter((y): y is string => typeof y === "string");
  }
  return out;
}
