/** The access-needs model: manifest loading and validation, and the provider-neutral grant plan. */
export * from "./types";
export * from "./grant-plan-types";
export {
  loadManifest,
  parseManifestText,
  parseManifestDocument,
  parseManifestObject,
  locateNearest,
} from "./load";
export { ManifestError, formatIssue, fieldPath, type ManifestIssue } from "./errors";
export {
  parseDuration,
  tryParseDuration,
  formatDuration,
  DurationSyntaxError,
  DURATION_HINT,
} from "./duration";
export { ACCESS_CAPABILITIES, ACCESS_LEVELS } from "./access-levels";
export { DEFAULT_LIMITS, DEFAULT_KV_MOUNT, vaultPathProblem } from "./normalise";
export {
  planGrants,
  forEachConsumerPlan,
  forEachConsumerRules,
  planPolicy,
  planRotation,
  renderPolicyHcl,
  policyName,
  kvEntryName,
  POLICY_PREFIX,
  MANAGED_BY,
  KV_MAX_VERSIONS,
  NO_LONG_LIVED_CREDENTIAL,
  DEFAULT_WRAPPING_TTL,
} from "./plan-grants";
export { vaultDisplayName } from "./display-names";
export { needIndexOf } from "./need-index";
export type { FieldPath, Position } from "./source";
