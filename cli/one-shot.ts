/**
 * V8 settings for a command that runs once and exits (the CLI, and benchmarks that measure it as
 * one), set before the command's modules load.
 *
 * A smaller inlining budget for V8's optimising compiler (the default inlines up to 920 bytes of
 * bytecode into each optimised function). In a short process the Rego engine's closures calling
 * closures made TurboFan inline deep graphs: 30–60 ms of compile CPU per function, about 1.5 s in
 * all during a 1,000-need check. With 200, `check` on 10,000 needs measured 13% less CPU and 8%
 * less wall time, `plan` on 1,000 needs 10% less CPU (bench/whole-process.ts measures both). Only
 * the optimiser's heuristics change, never what a program computes. A long-lived host (Pulumi's
 * policy analyzer, a test runner) keeps V8's defaults, and an inlining flag given on node's own
 * command line wins.
 *
 * On the V8 versions listed in {@link CHEAP_COMPILE_V8}, four of TurboFan's costlier passes are
 * off as well (escape analysis, loop peeling, load elimination, block splitting): a cold 10,000-need
 * `check` spends ~40% of its CPU on V8's helper threads, most of it optimising code that then runs
 * for a few milliseconds; without them it measured 3.4% less CPU (median of 6 alternating runs).
 * Only versions where these flags were checked to exist get them: V8 prints "unrecognized flag" on
 * stderr for a flag it does not know, and a later V8 may drop one.
 */
import { setFlagsFromString } from "node:v8";

export const ONE_SHOT_V8_FLAGS = "--max-inlined-bytecode-size-cumulative=200";

/** Cheaper optimised compiles, for the V8 versions (major.minor) where each flag was checked. */
export const CHEAP_COMPILE_V8 = {
  versions: ["11.3"],
  flags:
    "--no-turbo-escape --no-turbo-loop-peeling --no-turbo-load-elimination --no-turbo-splitting",
} as const;

/** The flags {@link tuneForOneShot} sets under a V8 of version `v8Version`. */
export function oneShotFlags(v8Version: string = process.versions.v8): string {
  const majorMinor = v8Version.split(".").slice(0, 2).join(".");
  return (CHEAP_COMPILE_V8.versions as readonly string[]).includes(majorMinor)
    ? `${ONE_SHOT_V8_FLAGS} ${CHEAP_COMPILE_V8.flags}`
    : ONE_SHOT_V8_FLAGS;
}

/**
 * Applies {@link oneShotFlags} unless node was started with an optimiser flag of its own (an
 * inlining budget or any TurboFan setting); says whether.
 */
export function tuneForOneShot(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => a.includes("inlin") || a.includes("turbo"))) return false;
  setFlagsFromString(oneShotFlags());
  return true;
}
