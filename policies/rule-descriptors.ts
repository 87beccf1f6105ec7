/**
 * What each rule is, read from the METADATA annotations of the Rego that implements it, so a
 * rule's title, description and remediation live next to its code (ours and an organisation's
 * alike) and reach SARIF rule descriptors and JUnit test names from there.
 *
 * A rule is described by an annotation with `custom.id` (the id its findings carry, e.g. TW010),
 * or — for an organisation's conftest-style `deny`/`violation`/`warn` rules, whose findings are
 * named `<package>.<rule>` unless they carry an id — by an annotation on such a rule.
 */
import type { Module } from "../rego";
import { RObject, toJS } from "../rego/value";

export interface RuleDescriptor {
  readonly id: string;
  /** One line: what the rule checks. */
  readonly title: string;
  /** What the rule checks, in full. */
  readonly description: string;
  /** How to fix what it reports ("" when the annotation says nothing). */
  readonly remediation: string;
  readonly severity: "deny" | "warn";
  /** e.g. the OWASP Non-Human Identities Top 10 (2025) risk the rule addresses. */
  readonly tags: readonly string[];
}

/** An organisation's rules that `check` reads as findings, conftest style, in any package. */
export const CONFTEST_RULES: readonly string[] = ["deny", "violation", "warn"];

/** Every described rule of the modules, first annotation of an id winning, in id order. */
export function ruleDescriptors(modules: readonly Module[]): RuleDescriptor[] {
  const byId = new Map<string, RuleDescriptor>();
  for (const m of modules) {
    for (const a of m.annotations ?? []) {
      if (!a.rule || !(a.value instanceof RObject)) continue;
      const ann = toJS(a.value) as Record<string, unknown>;
      const custom = isRecord(ann.custom) ? ann.custom : {};
      const ruleName = (a.rule.head.ref[0] as { name?: string }).name ?? "";
      const id =
        typeof custom.id === "string"
          ? custom.id
          : CONFTEST_RULES.includes(ruleName)
            ? `${m.packagePath.join(".")}.${ruleName}`
            : undefined;
      if (id === undefined || byId.has(id)) continue;
      const title = text(ann.title) ?? id;
      byId.set(id, {
        id,
        title,
        description: text(ann.description) ?? title,
        remediation: text(custom.remediation) ?? "",
        severity:
          custom.severity === "warn" || custom.severity === "deny"
            ? custom.severity
            : ruleName === "warn"
              ? "warn"
              : "deny",
        tags: Array.isArray(custom.tags) ? custom.tags.filter((t) => typeof t === "string") : [],
      });
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** A non-empty string with YAML's folding newlines made spaces; undefined otherwise. */
function text(x: unknown): string | undefined {
  if (typeof x !== "string") return undefined;
  const t = x.replace(/\s*\n\s*/g, " ").trim();
  return t === "" ? undefined : t;
}
