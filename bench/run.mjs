#!/usr/bin/env node
// Benchmark driver: runs every kernel built by bench/CMakeLists.txt on native gcc -O2, phat with
// fuel metering compiled out and in, V8 (default tiering and Liftoff only) and wabt's
// wasm-interp; checks that all of them compute the same checksum; prints a Markdown table of
// median wall-clock times with ratios to native, a geomean row and phat's fuel overhead.
//
// Every engine is timed the same way: the whole process, from spawn to exit, so start-up and
// module compilation count for all (a "process startup" row shows that fixed part). Runs of one
// kernel are interleaved across engines so that drifting machine load hits all of them alike.
// On a shared machine, --cpu reports user+sys CPU time instead of wall-clock time: other
// processes then inflate it far less (but V8's background threads add to its CPU time).
//
// Usage: node bench/run.mjs [--build-dir DIR] [--runs N] [--interp-runs N] [--only K1,K2]
//                           [--skip-wasm-interp] [--timeout SECONDS] [--cpu]
// Needs only node (no npm packages). Exit status: 0 all good, 1 a run failed or checksums
// disagree, 2 bad usage or nothing built.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const kKernels = ['fib', 'sieve', 'matmul', 'sha256', 'hashmap', 'memcpy', 'coremark_like'];
// Big enough never to run out, so "fuel on" measures metering, not exhaustion.
const kHugeFuel = '1000000000000000000';
const kRepo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const kUsage = `usage: node bench/run.mjs [options]
  --build-dir DIR     build directory holding phat and bench/ (default: build)
  --runs N            timed runs per kernel and engine; the median is reported (default: 5)
  --interp-runs N     timed runs for wabt wasm-interp, which is ~100-500x slower (default: 1)
  --only K1,K2        run only these kernels (${kKernels.join(', ')})
  --skip-wasm-interp  leave out wabt wasm-interp
  --timeout SECONDS   give up on one process after this long (default: 900)
  --cpu               measure user+sys CPU time of each process instead of wall-clock time`;

function usageError(message) {
  console.error(`error: ${message}\n${kUsage}`);
  process.exit(2);
}

function parsePositiveInt(flag, text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) usageError(`${flag} needs a positive integer, got "${text}"`);
  return n;
}

function parseOptions(argv) {
  const options = {
    buildDir: 'build', runs: 5, interpRuns: 1, only: kKernels, skipWasmInterp: false,
    timeoutMs: 900_000, cpu: false,
  };
  for (let i = 0; i < argv.length; ++i) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usageError(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--build-dir': options.buildDir = value(); break;
      case '--runs': options.runs = parsePositiveInt(flag, value()); break;
      case '--interp-runs': options.interpRuns = parsePositiveInt(flag, value()); break;
      case '--skip-wasm-interp': options.skipWasmInterp = true; break;
      case '--cpu': options.cpu = true; break;
      case '--timeout': options.timeoutMs = parsePositiveInt(flag, value()) * 1000; break;
      case '--only': {
        options.only = value().split(',').filter(Boolean);
        const unknown = options.only.filter((k) => !kKernels.includes(k));
        if (unknown.length) usageError(`unknown kernel(s): ${unknown.join(', ')}`);
        break;
      }
      case '-h': case '--help': console.log(kUsage); process.exit(0);
      default: usageError(`unknown option "${flag}"`);
    }
  }
  options.buildDir = path.resolve(kRepo, options.buildDir);
  return options;
}

// ---- engines ----

// The checksum printed on the last line of stdout, normalised to unsigned decimal.
function lastLineChecksum(stdout) {
  const lines = stdout.trim().split('\n');
  const m = /^i32:(-?\d+)$/.exec(lines[lines.length - 1].trim());
  return m ? BigInt.asUintN(32, BigInt(m[1])).toString() : null;
}

// wasm-interp --run-all-exports prints "run() => i32:N" (the only export that is a function).
function wasmInterpChecksum(stdout) {
  const m = /run\(\) => i32:(-?\d+)/.exec(stdout);
  return m ? BigInt.asUintN(32, BigInt(m[1])).toString() : null;
}

function onPath(program) {
  const probe = spawnSync(program, ['--version'], { stdio: 'ignore' });
  return !probe.error;
}

// Each engine: how to run a kernel given its built files ({wasm, native}), how to read its
// checksum, and why it cannot run at all (or null).
function makeEngines(options) {
  const phat = path.join(options.buildDir, 'phat');
  const v8Loader = path.join(kRepo, 'bench', 'v8_run.mjs');
  const node = process.execPath;
  const phatMissing = existsSync(phat) ? null : `${phat} not found: run scripts/build first`;
  const engines = [
    {
      id: 'native', title: 'native gcc -O2', runs: options.runs, parse: lastLineChecksum,
      command: (f) => [f.native, []],
      missing: () => null,  // checked per kernel, like the .wasm files
    },
    {
      id: 'phat', title: 'phat fuel off', runs: options.runs, parse: lastLineChecksum,
      command: (f) => [phat, ['wasm', 'run', f.wasm, '--invoke', 'run']],
      missing: () => phatMissing,
    },
    {
      id: 'phat_fuel', title: 'phat fuel on', runs: options.runs, parse: lastLineChecksum,
      command: (f) => [phat, ['wasm', 'run', f.wasm, '--invoke', 'run', '--fuel', kHugeFuel]],
      missing: () => phatMissing,
    },
    {
      id: 'v8', title: 'V8 default', runs: options.runs, parse: lastLineChecksum,
      command: (f) => [node, [v8Loader, f.wasm]],
      missing: () => null,
    },
    {
      id: 'liftoff', title: 'V8 Liftoff', runs: options.runs, parse: lastLineChecksum,
      command: (f) => [node, ['--liftoff-only', '--no-wasm-tier-up', v8Loader, f.wasm]],
      missing: () => null,
    },
    {
      id: 'wasm_interp', title: 'wabt wasm-interp', runs: options.interpRuns,
      parse: wasmInterpChecksum, noWarmup: true,  // a warm-up would cost minutes
      command: (f) => ['wasm-interp', ['--run-all-exports', f.wasm]],
      missing: () => {
        if (options.skipWasmInterp) return 'skipped (--skip-wasm-interp)';
        return onPath('wasm-interp') ? null : 'wasm-interp not on PATH (install wabt)';
      },
    },
  ];
  for (const e of engines) e.why = e.missing();
  return engines;
}

// ---- running ----

// For --cpu: bash runs the command, then its `times` builtin prints on stderr the CPU time of
// the finished children (getrusage, so microsecond resolution), which we read back.
const kTimesWrapper = '"$@"; status=$?; times >&2; exit $status';
const kTimesLine = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/;

// Takes the CPU time that `times` appended to stderr off it; returns milliseconds.
function takeCpuTime(r) {
  const m = kTimesLine.exec(r.stderr);
  if (!m) return null;
  r.stderr = r.stderr.slice(0, m.index).split('\n').slice(0, -2).join('\n');
  const ms = (min, sec) => (Number(min) * 60 + Number(sec)) * 1000;
  return ms(m[1], m[2]) + ms(m[3], m[4]);
}

// Runs one process; returns {ms, checksum} or {error}.
function timeOnce(engine, files, options) {
  const [cmd, args] = engine.command(files);
  const [spawnCmd, spawnArgs] =
      options.cpu ? ['bash', ['-c', kTimesWrapper, 'bench', cmd, ...args]] : [cmd, args];
  const start = process.hrtime.bigint();
  const r = spawnSync(spawnCmd, spawnArgs, {
    encoding: 'utf8', timeout: options.timeoutMs, maxBuffer: 16 << 20,
  });
  let ms = Number(process.hrtime.bigint() - start) / 1e6;
  const shown = [cmd, ...args].join(' ');
  if (r.error?.code === 'ETIMEDOUT') {
    return { error: `${shown}: timed out after ${options.timeoutMs / 1000} s (see --timeout)` };
  }
  if (r.error) return { error: `${shown}: ${r.error.message}` };
  if (options.cpu) {
    ms = takeCpuTime(r);
    if (ms === null) return { error: `${shown}: no CPU time from bash's \`times\` in its stderr` };
  }
  if (r.status !== 0) {
    const how = r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`;
    return { error: `${shown}: ${how}\n    stderr: ${r.stderr.trim().slice(-600) || '(empty)'}` };
  }
  const checksum = engine.parse(r.stdout);
  if (checksum === null) {
    return { error: `${shown}: no checksum in output:\n    ${r.stdout.trim().slice(-300)}` };
  }
  return { ms, checksum };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function geomean(values) {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

// Runs one kernel on every available engine; returns {engineId: {median, checksum} | {error}}.
function benchKernel(kernel, engines, options, problems) {
  const results = {};
  const active = [];
  const dir = path.join(options.buildDir, 'bench');
  const files = {
    wasm: path.join(dir, `${kernel}.wasm`),
    native: path.join(dir, `${kernel}.native`),
  };
  for (const e of engines) {
    if (e.why) continue;
    const needed = e.id === 'native' ? files.native : files.wasm;
    if (!existsSync(needed)) {
      results[e.id] = { error: `${needed} not built` };
      const note = `${needed} not built (see the cmake warnings)`;
      if (!problems.notes.includes(note)) problems.notes.push(note);
      continue;
    }
    results[e.id] = { times: [], checksum: null };
    active.push(e);
  }
  for (const e of active) {  // warm the page cache and the binaries; not timed
    if (!e.noWarmup) timeOnce(e, files, options);
  }
  const rounds = Math.max(...active.map((e) => e.runs), 0);
  for (let round = 0; round < rounds; ++round) {
    for (const e of active) {
      const res = results[e.id];
      if (round >= e.runs || res.error) continue;
      if (e.id === 'wasm_interp') {  // minutes per run: show it is alive
        process.stderr.write(`  ${kernel}: wasm-interp run ${round + 1}/${e.runs}...\n`);
      }
      const r = timeOnce(e, files, options);
      if (r.error) {
        results[e.id] = { error: r.error };
        problems.failures.push(`${kernel} on ${e.title}: ${r.error}`);
        continue;
      }
      res.times.push(r.ms);
      res.checksum ??= r.checksum;
      if (res.checksum !== r.checksum) {
        problems.failures.push(`${kernel} on ${e.title}: checksum changed between runs ` +
                               `(${res.checksum} then ${r.checksum})`);
      }
    }
  }
  for (const e of active) {
    const res = results[e.id];
    if (!res.error) res.median = median(res.times);
  }
  checkChecksums(kernel, engines, results, problems);
  const line = engines.filter((e) => results[e.id]?.median !== undefined)
    .map((e) => `${e.id} ${results[e.id].median.toFixed(0)} ms`).join(', ');
  process.stderr.write(`${kernel}: ${line}\n`);
  return results;
}

// Every engine must agree with native (or, without native, with the first engine that ran).
function checkChecksums(kernel, engines, results, problems) {
  const ran = engines.filter((e) => results[e.id]?.checksum);
  if (!ran.length) return;
  const reference = ran.find((e) => e.id === 'native') ?? ran[0];
  const want = results[reference.id].checksum;
  for (const e of ran) {
    const got = results[e.id].checksum;
    if (got === want) continue;
    results[e.id].mismatch = true;
    problems.failures.push(`${kernel}: ${e.title} computed ${got}, ${reference.title} ${want}`);
  }
}

// Process start-up and teardown with a trivial module, per wasm engine: the fixed part of each
// whole-process time above. The module exports `run` returning i32 0.
function measureStartup(engines, options) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'phat-bench-'));
  const file = path.join(dir, 'empty.wasm');
  writeFileSync(file, Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,        // magic, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,              // type: () -> i32
    0x03, 0x02, 0x01, 0x00,                                // one function of type 0
    0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00,  // export "run" = func 0
    0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0b,        // body: i32.const 0
  ]));
  const startup = {};
  for (const e of engines) {
    if (e.why || e.id === 'native') continue;
    timeOnce(e, { wasm: file }, options);  // warm-up, as for the kernels
    const times = [];
    for (let i = 0; i < options.runs; ++i) {
      const r = timeOnce(e, { wasm: file }, options);
      if (r.error) break;
      times.push(r.ms);
    }
    if (times.length) startup[e.id] = median(times);
  }
  rmSync(dir, { recursive: true, force: true });
  return startup;
}

// ---- report ----

// The first line a command prints, or null if it cannot run or fails.
function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error || r.status !== 0 ? null : (r.stdout || r.stderr).trim().split('\n')[0];
}

function describeSetup(options) {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?';
  const commit =
      firstLine('git', ['-C', kRepo, 'describe', '--always', '--dirty']) ?? 'not a git checkout';
  return [
    `machine: ${cpu}, ${os.cpus().length} cores, ${os.type()} ${os.release()}`,
    `phat: ${commit} (${path.relative(kRepo, options.buildDir) || '.'}/phat); ` +
      `gcc: ${firstLine('gcc', ['-dumpfullversion']) ?? 'missing'}; node: ${process.version}; ` +
      `wasm-interp: ${firstLine('wasm-interp', ['--version']) ?? 'missing'}`,
  ];
}

function cell(results, engineId, native) {
  const r = results[engineId];
  if (!r) return '—';
  if (r.error) return r.error.endsWith('not built') ? 'not built' : 'FAILED';
  const ms = r.median < 10 ? r.median.toFixed(1) : r.median.toFixed(0);
  const mark = r.mismatch ? ' WRONG' : '';
  if (engineId === 'native' || !native?.median) return `${ms} ms${mark}`;
  return `${ms} ms (${(r.median / native.median).toFixed(1)}×)${mark}`;
}

function percent(ratio) {
  const p = (ratio - 1) * 100;
  return `${p >= 0 ? '+' : ''}${p.toFixed(1)}%`;
}

function fuelCost(results) {
  const off = results.phat, on = results.phat_fuel;
  return off?.median && on?.median ? on.median / off.median : null;
}

function printTable(all, engines, startup, options) {
  const shown = engines.filter((e) => !e.why);
  const header = ['kernel', ...shown.map((e) => e.title), 'phat fuel cost'];
  const rows = [];
  for (const [kernel, results] of Object.entries(all)) {
    const cost = fuelCost(results);
    rows.push([kernel, ...shown.map((e) => cell(results, e.id, results.native)),
               cost ? percent(cost) : '—']);
  }
  // Geomean of per-kernel ratios to native, over kernels where both ran correctly.
  const geo = ['**geomean × native**'];
  for (const e of shown) {
    const ratios = Object.values(all)
      .filter((r) => r[e.id]?.median && !r[e.id].mismatch && r.native?.median)
      .map((r) => r[e.id].median / r.native.median);
    const total = Object.keys(all).length;
    const partial = ratios.length < total ? ` (${ratios.length} of ${total} kernels)` : '';
    geo.push(ratios.length ? `**${geomean(ratios).toFixed(2)}×**${partial}` : '—');
  }
  const costs = Object.values(all).map(fuelCost).filter(Boolean);
  geo.push(costs.length ? `**${percent(geomean(costs))}**` : '—');
  rows.push(geo);
  rows.push(['process startup (empty module)',
             ...shown.map((e) => (startup[e.id] ? `${startup[e.id].toFixed(1)} ms` : '—')), '']);

  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(fmt(r));
}

function main() {
  const options = parseOptions(process.argv.slice(2));
  if (!existsSync(path.join(options.buildDir, 'bench'))) {
    console.error(`error: ${options.buildDir}/bench does not exist: build first ` +
                  `(scripts/build, or PHAT_BUILD_DIR=... scripts/build and --build-dir)`);
    process.exit(2);
  }
  const engines = makeEngines(options);
  const problems = { failures: [], notes: [] };
  for (const e of engines) {
    if (e.why) problems.notes.push(`${e.title} left out: ${e.why}`);
  }
  for (const n of problems.notes) process.stderr.write(`note: ${n}\n`);

  const all = {};
  for (const kernel of options.only) all[kernel] = benchKernel(kernel, engines, options, problems);
  const startup = measureStartup(engines, options);

  for (const line of describeSetup(options)) console.log(line);
  const interp = engines.find((e) => e.id === 'wasm_interp');
  const metric = options.cpu ? 'user+sys CPU time' : 'wall-clock time';
  console.log(`Whole-process ${metric}, median of ${options.runs} runs` +
              (interp.why ? '' : ` (wabt wasm-interp: ${options.interpRuns} run` +
                                 `${options.interpRuns > 1 ? 's, median' : ''})`) +
              '; (×N) = time / native gcc -O2; fuel cost = phat fuel on / fuel off.\n');
  printTable(all, engines, startup, options);
  if (problems.notes.length) {
    console.log(`\nNotes:\n${problems.notes.map((n) => `- ${n}`).join('\n')}`);
  }
  if (problems.failures.length) {
    console.log(`\nFAILURES:\n${problems.failures.map((f) => `- ${f}`).join('\n')}`);
    process.exit(1);
  }
}

main();
