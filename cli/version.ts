/**
 * The version the CLI and its reports state: package.json's, read once at run time (from the
 * sources and from dist/ alike), so a release never prints a stale hard-coded number.
 */
import * as fs from "node:fs";
import * as path from "node:path";

function readVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    try {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "tokenwarden" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // no package.json here (or not ours): keep looking upwards
    }
    if (path.dirname(dir) === dir) return "unknown";
  }
}

export const TOOL_VERSION = readVersion();
