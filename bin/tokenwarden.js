#!/usr/bin/env node
"use strict";
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by the README's commands),
// so starting the command never pays for TypeScript compilation.

let main;
try {
  // `check` (the command CI runs on every change) loads our ~60 modules through a lighter loader
  // than Node's (dist/cli/own-modules.js says what it keeps and why); other commands, whose
  // libraries (Pulumi, CDKTF) may look into Node's module cache, load as usual
  const dist = require("node:path").join(__dirname, "..", "dist");
  const load =
    process.argv[2] === "check"
      ? require("../dist/cli/own-modules.js").ownModuleLoader(dist, require)
      : require;
  // before the command's modules load: V8 settings for a process that runs once (cli/one-shot.ts)
  load(`${dist}/cli/one-shot.js`).tuneForOneShot();
  main = load(`${dist}/cli/main.js`).main;
} catch (err) {
  if (
    err &&
    err.code === "MODULE_NOT_FOUND" &&
    /dist\/cli\/(main|one-shot|own-modules)\.js/.test(String(err.message))
  ) {
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
