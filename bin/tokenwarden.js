#!/usr/bin/env node
"use strict";
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by the README's commands),
// so starting the command never pays for TypeScript compilation.

// A smaller inlining budget for V8's optimising compiler (default 920 bytes of bytecode inlined
// per optimised function). A command is one short process: the Rego engine's closures calling
// closures made TurboFan inline deep graphs, 30-60 ms of compile CPU per function, ~1.5 s in all
// on a 1,000-need check. With 200, `check` on 10,000 needs measured 13% less CPU and 8% less wall
// time, `plan` on 1,000 needs 10% less CPU (bench/whole-process.ts measures it). Only the
// optimiser's heuristics change, never what a program computes; a budget given on node's own
// command line wins.
if (!process.execArgv.some((a) => a.includes("inlin"))) {
  require("node:v8").setFlagsFromString("--max-inlined-bytecode-size-cumulative=200");
}

let main;
try {
  main = require("../dist/cli/main.js").main;
} catch (err) {
  if (err && err.code === "MODULE_NOT_FOUND" && String(err.message).includes("dist/cli/main.js")) {
    process.stderr.write(
      "tokenwarden: not built yet; run `npm run build` in the tokenwarden checkout\n",
    );
    process.exit(2);
  }
  throw err;
}
// process.exit drops what a pipe has not taken yet (writes to a pipe are asynchronous): a 2.6 MB
// plan piped to `wc -c` arrived cut at 64 KB. Exit once everything written has been flushed.
function exit(code) {
  process.exitCode = code;
  let pending = 2;
  const flushed = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", flushed);
  process.stderr.write("", flushed);
}
main(process.argv.slice(2)).then(exit, (err) => {
  process.stderr.write(`tokenwarden: internal error: ${err && err.message ? err.message : err}\n`);
  exit(2); // exit codes are 0, 1 and 2 only
});
