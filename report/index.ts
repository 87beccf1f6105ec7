/** Output formats of `tokenwarden check`, one module each, all rendering the neutral Report. */
import { renderGithub } from "./github";
import { renderJson } from "./json";
import { renderJunit } from "./junit";
import { renderSarif } from "./sarif";
import { renderText } from "./text";
import type { Report } from "./types";

import type { Format } from "./formats";

export { FORMATS, renderAs, type Format } from "./formats";

export function render(report: Report, format: Format): string {
  switch (format) {
    case "text":
      return renderText(report);
    case "json":
      return renderJson(report);
    case "sarif":
      return renderSarif(report);
    case "github":
      return renderGithub(report);
    case "junit":
      return renderJunit(report);
  }
}

export * from "./types";
export { ruleInfo, catalogue, type RuleInfo } from "./rules";
