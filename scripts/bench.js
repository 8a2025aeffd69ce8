#!/usr/bin/env node
'use strict';
/**
 * npm run bench: how fast `npm run synth` is, as ratios against baselines
 * measured in the same run on the same chart:
 *   floor  - `npm run` of a script that only loads cdk8s and cdk8s-plus-28
 *   stock  - the cdk8s template's way: `cdk8s synth` with `app: npx ts-node main.ts`
 * Targets (issue #2): synth <= 1.5x floor and <= 0.2x stock, and the same
 * for an unchanged re-synth with 100 users at bcrypt cost 10.
 * Wall-clock medians; prints figures, never fails on them.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const WORK = path.join(ROOT, '.build', 'bench');
const RUNS = Number(process.env.BENCH_RUNS || 9);

fs.rmSync(WORK, { recursive: true, force: true });
fs.mkdirSync(path.join(WORK, 'stock'), { recursive: true });

function writeConfig(name, users) {
  const file = path.join(WORK, name);
  fs.writeFileSync(file, `domain: example.com\nauth:\n  users:\n${users.map((u) => `    - name: ${u}\n`).join('')}`);
  return file;
}
const users2 = ['admin', 'pull'];
const users100 = Array.from({ length: 100 }, (_, i) => `user${String(i).padStart(3, '0')}`);
const baseEnv = { ...process.env, CDK8S_CHECK_UPGRADE: 'false', K3S_REGISTRY_HTTP_SECRET: 'bench-http-secret-0123456789abcdef' };
for (const u of [...users2, ...users100]) baseEnv[`K3S_REGISTRY_PASSWORD_${u.toUpperCase()}`] = `bench-password-${u}`;

const cases = {
  floor: { cmd: 'npm', args: ['run', '-s', 'bench:floor'], cwd: ROOT, env: baseEnv },
  synth: {
    cmd: 'npm', args: ['run', '-s', 'synth', '--', '--outdir', path.join(WORK, 'dist')], cwd: ROOT,
    env: { ...baseEnv, K3S_REGISTRY_CONFIG: writeConfig('config.yaml', users2), K3S_REGISTRY_STATE_DIR: path.join(WORK, 'state') },
  },
  stock: {
    cmd: path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), args: ['synth', '--no-check-upgrade'], cwd: path.join(WORK, 'stock'),
    env: { ...baseEnv, K3S_REGISTRY_CONFIG: path.join(WORK, 'config.yaml'), K3S_REGISTRY_STATE_DIR: path.join(WORK, 'state-stock') },
  },
  synth100: {
    cmd: 'npm', args: ['run', '-s', 'synth', '--', '--outdir', path.join(WORK, 'dist100')], cwd: ROOT,
    env: { ...baseEnv, K3S_REGISTRY_CONFIG: writeConfig('config100.yaml', users100), K3S_REGISTRY_STATE_DIR: path.join(WORK, 'state100') },
  },
};
fs.writeFileSync(path.join(WORK, 'stock', 'cdk8s.yaml'), `language: typescript\napp: npx ts-node ${path.join(ROOT, 'main.ts')}\noutput: dist\n`);

function once(c) {
  const t = process.hrtime.bigint();
  const r = spawnSync(c.cmd, c.args, { cwd: c.cwd, env: c.env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${c.cmd} ${c.args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return { ms, stderr: r.stderr };
}
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Warm-up: builds the bundle and the validator cache, hashes the passwords once (100 users at cost 10 takes seconds).
for (const c of Object.values(cases)) once(c);
const check = once(cases.synth100).stderr;
if (!/bcrypt: 100 cached, 0 hashed/.test(check)) throw new Error(`re-synth with 100 users was not fully cached:\n${check}`);

// Runs are interleaved (floor, synth, synth100, floor, ...) so that load from
// elsewhere on the machine weighs on every case alike; stock runs fewer times (it is slow).
const samples = { floor: [], synth: [], synth100: [], stock: [] };
for (let i = 0; i < RUNS; i++) {
  for (const name of ['floor', 'synth', 'synth100']) samples[name].push(once(cases[name]).ms);
  if (i < Math.max(3, Math.ceil(RUNS / 2))) samples.stock.push(once(cases.stock).ms);
}
const results = Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, median(xs)]));

const fmt = (x) => x.toFixed(2).padStart(6);
const row = (name, what, ms, target) => {
  const vsFloor = ms / results.floor;
  const vsStock = ms / results.stock;
  const ok = target ? (vsFloor <= 1.5 && vsStock <= 0.2 ? 'meets' : 'MISSES') + ' target (<=1.5x floor, <=0.2x stock)' : '';
  console.log(`${name.padEnd(9)} ${String(Math.round(ms)).padStart(6)} ms  ${fmt(vsFloor)}x floor  ${fmt(vsStock)}x stock  ${what}${ok ? `  ${ok}` : ''}`);
};
console.log(`median wall time of ${RUNS} runs (stock: ${Math.max(3, Math.ceil(RUNS / 2))}), node ${process.version}, ${require('os').cpus().length} cpus`);
row('floor', 'npm run: node loads cdk8s + cdk8s-plus-28, exits', results.floor);
row('stock', 'cdk8s synth, app: npx ts-node main.ts', results.stock);
row('synth', 'npm run synth (2 users)', results.synth, true);
row('synth100', 'npm run synth, unchanged, 100 users, bcrypt cost 10', results.synth100, true);
