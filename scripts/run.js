#!/usr/bin/env node
'use strict';
/**
 * Runs a step (`synth` -> main.ts, `k3s` -> k3s.ts) with plain node from an
 * esbuild bundle in .build/. The bundle is rebuilt only when a source file
 * is newer than it, so a synth pays neither ts-node's type-check nor the
 * cdk8s CLI's start-up. Type-checking lives in `npm test` (tsc --noEmit).
 */
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const ENTRIES = { synth: 'main.ts', k3s: 'k3s.ts' };
const SOURCES = ['main.ts', 'k3s.ts', 'lib', 'imports', 'package-lock.json', 'scripts/run.js'];

function newestMtime(p) {
  let st;
  try { st = fs.statSync(p); } catch { return 0; }
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, f) => Math.max(m, newestMtime(path.join(p, f))), st.mtimeMs);
}

function bundle(step) {
  const out = path.join(ROOT, '.build', `${step}.js`);
  let built = 0;
  try { built = fs.statSync(out).mtimeMs; } catch { /* not built yet */ }
  const newest = SOURCES.reduce((m, s) => Math.max(m, newestMtime(path.join(ROOT, s))), 0);
  if (built > newest) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  require('esbuild').buildSync({
    entryPoints: [path.join(ROOT, ENTRIES[step])],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    keepNames: true,
    logLevel: 'error',
  });
  fs.renameSync(tmp, out);
  fs.rmSync(`${out}.v8cache`, { force: true });
  return out;
}

/**
 * Loads the bundle like require() does, but with V8's code cache kept next
 * to it: compiling the 2 MB bundle is a good part of a synth's start-up, and
 * the cache (written after the first run, so it covers the functions that
 * ran) lets V8 skip most of it.
 */
function loadBundle(file) {
  const vm = require('vm');
  const Module = require('module');
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try { cachedData = fs.readFileSync(cacheFile); } catch { /* first run */ }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  const localRequire = (id) => mod.require(id);
  localRequire.resolve = (id) => Module._resolveFilename(id, mod);
  script.runInThisContext().call(mod.exports, mod.exports, localRequire, mod, file, path.dirname(file));
  mod.loaded = true;
  return {
    exports: mod.exports,
    // Called after the step ran, so the cache holds the code it compiled.
    saveCache: () => {
      if (cachedData && !script.cachedDataRejected) return;
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch { /* only a speed-up */ }
    },
  };
}

const [step, ...args] = process.argv.slice(2);
if (!ENTRIES[step]) {
  process.stderr.write(`usage: node scripts/run.js <${Object.keys(ENTRIES).join('|')}> [options]\n`);
  process.exit(2);
}
const loaded = loadBundle(bundle(step));
process.exitCode = loaded.exports.cli(args, process.env);
loaded.saveCache();
