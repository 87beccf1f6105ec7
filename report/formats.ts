/**
 * The output formats of `tokenwarden check`, rendered by loading only the module of the format
 * asked for: a run prints one format, and the others cost module loading at every start (SARIF's
 * alone loads node:crypto for its fingerprints). `render` in ./index.ts renders any of them
 * synchronously, for callers that have them all loaded anyway.
 */
import type { Report } from "./types";

export const FORMATS = ["text", "json", "sarif", "github", "junit"] as const;
export type Format = (typeof FORMATS)[number];

export async function renderAs(report: Report, format: Format): Promise<string> {
  switch (format) {
    case "text":
      return (await import("./text")).renderText(report);
    case "json":
      return (await import("./json")).renderJson(report);
    case "sarif":
      return (await import("./sarif")).renderSarif(report);
    case "github":
      return (await import("./github")).renderGithub(report);
    case "junit":
      return (await import("./junit")).renderJunit(report);
  }
}
