#!/usr/bin/env node
// Runs a compiled entry point (e.g. dist/src/cli/main.js), compiling first only when a source
// file is newer than it: `npm run cli` costs a tsc run only after an edit, not on every command.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, rmSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const SOURCES = ['src', 'migrations', 'bench'];
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** The newest mtime of the .ts files under `dir` (0 when it does not exist, as in the image). */
function newestSource(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(target) {
  if (!existsSync(target)) return true;
  const built = statSync(target).mtimeMs;
  const configs = CONFIG_FILES.map((name) => join(root, name)).filter((path) => existsSync(path));
  const newest = Math.max(
    ...SOURCES.map((name) => newestSource(join(root, name))),
    ...configs.map((path) => statSync(path).mtimeMs),
  );
  return newest > built;
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/launch.cjs <dist/entry.js> [args...]\n');
  process.exit(2);
}
const target = resolve(root, entry);
if (isStale(target)) {
  process.stderr.write('keyhold: sources changed, compiling (tsc)...\n');
  // From scratch: a file moved or deleted in src/ must not live on in dist/ (an entity compiled
  // twice under two paths stops MikroORM's discovery).
  for (const folder of ['src', 'migrations', 'bench']) {
    rmSync(join(root, 'dist', folder), { recursive: true, force: true });
  }
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
// The web console (web/src → dist/web) has its own tsconfig and is compiled the same way.
const webEntry = join(root, 'dist', 'web', 'main.js');
const webSources = join(root, 'web', 'src');
if (
  existsSync(webSources) &&
  (!existsSync(webEntry) || newestSource(webSources) > statSync(webEntry).mtimeMs)
) {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'web/tsconfig.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
process.argv = [process.argv[0], target, ...args];
require(target);
