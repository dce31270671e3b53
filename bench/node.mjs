#!/usr/bin/env node
// The node under load: phatd's HTTP API over loopback (docs/PERFORMANCE.md, "The node (HTTP API)
// under load"). Builds nothing. For each run it starts a fresh `phatd --dev --tmp` on a free
// port, deploys flipper and erc20 and funds the benchmark origins (`phat_node_bench setup`), then
//   - for each query concurrency: GET /health under wrk (the HTTP stack alone, a floor), then
//     POST /query with pre-signed bodies (`phat_node_bench queries`, sent once each by
//     bench/wrk_bodies.lua), with phatd's CPU time and the node's own query timing from /metrics;
//   - erc20 transfers committed end to end (`phat_node_bench commands`);
// and stops phatd. It prints a Markdown table of the medians over the runs against the targets,
// the per-stage costs measured in process (`phat_node_bench stages`), and the command line.
//
// Usage: node bench/node.mjs [options]   (see kUsage). Needs node, wrk and the built phatd and
// build/bench/phat_node_bench. Exit status: 0 every run valid, 1 a run failed or was invalid
// (an HTTP error, a body sent twice, a transfer that did not succeed), 2 bad usage or missing
// tools.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const kRepo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kLuaScript = path.join(kRepo, 'bench', 'wrk_bodies.lua');
const kTargets = { queryP50Us: 150, queriesPerS: 20_000, transfersPerS: 10_000 };

const kUsage = `usage: node bench/node.mjs [options]
  --build-dir DIR           holds phatd, contracts/ and bench/phat_node_bench (default: build)
  --runs N                  fresh nodes measured; the median is reported (default: 3)
  --duration S              seconds of query load per concurrency (default: 8)
  --concurrency LIST        query concurrencies (default: 1,16,64)
  --wrk-threads N           wrk threads, at most the concurrency (default: 1; phatd shares the
                            machine's cores with wrk)
  --kind KIND               query body (phat_node_bench queries --kind; default: erc20-balance-of)
  --max-qps N               the highest query rate bodies are signed for (default: 40000): a
                            1 s warm-up at each concurrency gets that many, the timed load
                            1.5x the warm-up's rate (at most this) times --duration
  --health-duration S       seconds of GET /health per concurrency; 0 leaves it out (default: 2)
  --commands M              erc20 transfers per run (default: 10000)
  --command-concurrency K   connections sending them, one origin each (default: 16)
  --batch B                 commands per request; above 1 they go to POST /commands/batch
                            (default: 1)
  --connection MODE         keep-alive: every connection carries many requests (default);
                            close: a connection per request ("Connection: close")
  --timeout S               wrk's per-request timeout (default: 5)
  --phatd-args "ARGS"       more flags for phatd, split at spaces (e.g. "--http-threads 1")`;

function usageError(message) {
  console.error(`error: ${message}\n${kUsage}`);
  process.exit(2);
}

function parseNumber(flag, text, { min = 1, integer = true } = {}) {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
    usageError(`${flag} needs ${integer ? 'an integer' : 'a number'} >= ${min}, got "${text}"`);
  return n;
}

function parseOptions(argv) {
  const o = {
    buildDir: 'build', runs: 3, duration: 8, concurrency: [1, 16, 64], wrkThreads: 1,
    kind: 'erc20-balance-of', maxQps: 40_000, healthDuration: 2, commands: 10_000,
    commandConcurrency: 16, connection: 'keep-alive', timeout: 5, batch: 1,
    phatdArgs: [],
  };
  for (let i = 0; i < argv.length; ++i) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usageError(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--build-dir': o.buildDir = value(); break;
      case '--runs': o.runs = parseNumber(flag, value()); break;
      case '--duration': o.duration = parseNumber(flag, value()); break;
      case '--concurrency':
        o.concurrency = value().split(',').filter(Boolean).map((c) => parseNumber(flag, c));
        break;
      case '--wrk-threads': o.wrkThreads = parseNumber(flag, value()); break;
      case '--kind': o.kind = value(); break;
      case '--batch': o.batch = parseNumber(flag, value()); break;
      case '--max-qps': o.maxQps = parseNumber(flag, value()); break;
      case '--health-duration': o.healthDuration = parseNumber(flag, value(), { min: 0 }); break;
      case '--commands': o.commands = parseNumber(flag, value()); break;
      case '--command-concurrency': o.commandConcurrency = parseNumber(flag, value()); break;
      case '--connection':
        o.connection = value();
        if (!['keep-alive', 'close'].includes(o.connection))
          usageError(`--connection is keep-alive or close, got "${o.connection}"`);
        break;
      case '--timeout': o.timeout = parseNumber(flag, value()); break;
      case '--phatd-args': o.phatdArgs = value().split(' ').filter(Boolean); break;
      case '-h': case '--help': console.log(kUsage); process.exit(0);
      default: usageError(`unknown option "${flag}"`);
    }
  }
  o.buildDir = path.resolve(kRepo, o.buildDir);
  return o;
}

function log(message) {
  console.error(`[node bench] ${message}`);
}

// ---- processes ----

// Runs a program to its end; resolves {status, stdout, stderr}.
function run(program, args) {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (e) => resolve({ status: -1, stdout, stderr: `${stderr}${e.message}` }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function runOrThrow(program, args) {
  const r = await run(program, args);
  if (r.status !== 0)
    throw new Error(`${path.basename(program)} ${args.join(' ')} exited ${r.status}:\n` +
                    `${r.stdout}${r.stderr}`);
  return r;
}

// Starts `phatd --dev --tmp` (and extraArgs) on a free loopback port; resolves {child, url} once it serves.
function startNode(phatd, extraArgs) {
  return new Promise((resolve, reject) => {
    const child = spawn(phatd, ['--dev', '--tmp', '--listen', '127.0.0.1:0', ...extraArgs],
                        { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`phatd did not say "listening on" within 30 s:\n${out}${err}`));
    }, 30_000);
    child.stderr.on('data', (d) => { err += d; });
    // Keep reading its output after start, so that it never blocks on a full pipe.
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m && timer) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out + err });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`phatd exited (${code}) before serving:\n${out}${err}`));
    });
  });
}

// SIGTERM, as phatd expects to be stopped; SIGKILL after 30 s. Resolves phatd's exit code.
function stopNode(node) {
  return new Promise((resolve) => {
    if (node.child.exitCode !== null) return resolve(node.child.exitCode);
    const timer = setTimeout(() => node.child.kill('SIGKILL'), 30_000);
    node.child.removeAllListeners('exit');
    node.child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
    process.kill(node.child.pid, 'SIGTERM');
  });
}

// ---- measurements around a load ----

// phatd's user+system CPU time so far, in seconds (/proc/PID/stat fields 14 and 15).
function processCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100;  // USER_HZ on Linux
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

// CPU time of this process's children that have ended and been waited for (/proc/self/stat
// fields 16 and 17): around one load, what its load generator used.
function endedChildrenCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

// TCP counters of the machine (/proc/net/netstat, TcpExt): a listen queue that overflowed drops
// a connection's handshake, and the client tries again a second later.
function tcpCounters() {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const at = lines.findIndex((l) => l.startsWith('TcpExt:'));
  const names = lines[at].split(/\s+/);
  const values = lines[at + 1].split(/\s+/).map(Number);
  return { listenOverflows: values[names.indexOf('ListenOverflows')] };
}

// The machine's CPU time by kind, from the first line of /proc/stat (in USER_HZ ticks).
function machineCpu() {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number);
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
}

// The node's own timing of queries: the sum and count of phat_query_duration_seconds.
async function queryMetrics(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { sum: value('phat_query_duration_seconds_sum'),
           count: value('phat_query_duration_seconds_count') };
}

// Runs `measure` (which runs the load generator to its end), and adds what phatd, the load
// generator and everything else on the machine used meanwhile, in CPU-seconds per second.
async function withCpu(pid, measure) {
  const phatd0 = processCpuSeconds(pid);
  const generator0 = endedChildrenCpuSeconds();
  const m0 = machineCpu();
  const tcp0 = tcpCounters();
  const t0 = process.hrtime.bigint();
  const result = await measure();
  result.listenOverflows = tcpCounters().listenOverflows - tcp0.listenOverflows;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const phatd = processCpuSeconds(pid) - phatd0;
  const generator = endedChildrenCpuSeconds() - generator0;
  const m1 = machineCpu();
  const busy = (m1.busy - m0.busy) / 100;
  result.phatdCpuSeconds = phatd;
  result.cpu = { phatd: phatd / seconds, generator: generator / seconds,
                 others: Math.max(0, busy - phatd - generator) / seconds,
                 steal: (m1.steal - m0.steal) / 100 / seconds };
  return result;
}

function parseWrk(stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('{"wrk_bodies"'));
  if (!line) throw new Error(`wrk printed no result line:\n${stdout}`);
  return JSON.parse(line);
}

function wrkProblems(w) {
  const problems = [];
  for (const key of ['status_errors', 'connect_errors', 'read_errors', 'write_errors', 'timeouts',
                     'exhausted'])
    if (w[key]) problems.push(`${w[key]} ${key.replace('_', ' ')}`);
  return problems;
}

// wrk's arguments; the script's are BODIES THREADS [PATH] (bench/wrk_bodies.lua).
function wrkArgs(o, concurrency, seconds, url, bodies, urlPath) {
  const threads = String(Math.min(o.wrkThreads, concurrency));
  return ['-t', threads, '-c', String(concurrency), '-d', `${seconds}s`, '--timeout',
          `${o.timeout}s`, ...(o.connection === 'close' ? ['-H', 'Connection: close'] : []),
          '-s', kLuaScript, url, '--', bodies, threads, ...(urlPath ? [urlPath] : [])];
}

// GET /health: what the HTTP server alone costs at this concurrency.
async function healthLoad(o, node, concurrency) {
  const r = await runOrThrow('wrk', wrkArgs(o, concurrency, o.healthDuration, node.url, '-',
                                            '/health'));
  return parseWrk(r.stdout);
}

// POST /query with `count` fresh pre-signed bodies, for `seconds`.
async function queryLoad(o, tools, node, workDir, concurrency, count, seconds) {
  const bodies = path.join(workDir, `queries-c${concurrency}.txt`);
  await runOrThrow(tools.bench, ['queries', '--state', path.join(workDir, 'state.json'),
                                 '--count', String(count), '--out', bodies, '--kind', o.kind,
                                 '--url', node.url]);
  try {
    const before = await queryMetrics(node.url);
    const result = await withCpu(node.child.pid, async () => {
      const r = await runOrThrow('wrk', wrkArgs(o, concurrency, seconds, node.url, bodies));
      return parseWrk(r.stdout);
    });
    const after = await queryMetrics(node.url);
    result.nodeQueryUs = (after.sum - before.sum) / (after.count - before.count) * 1e6;
    return result;
  } finally {
    rmSync(bodies, { force: true });
  }
}

// The query load at one concurrency. Bodies are signed ahead, each sent once, and expire a
// minute after signing, so their number must fit the rate: a 1 s warm-up (which also warms the
// node) measures it, and the timed load gets 1.5x that. Should it still run out, it runs again
// with twice what it reached.
async function timedQueryLoad(o, tools, node, workDir, c) {
  const warmup = await queryLoad(o, tools, node, workDir, c, o.maxQps + 1000, 1);
  const rate = Math.min(o.maxQps, warmup.requests_per_s * 1.5);
  let q = await queryLoad(o, tools, node, workDir, c, Math.ceil(rate * o.duration) + 2000,
                          o.duration);
  const otherProblems = wrkProblems({ ...q, exhausted: 0, status_errors: 0 });
  if (q.exhausted && !otherProblems.length && q.status_errors === q.exhausted) {
    log(`c=${c}: ${q.requests_per_s.toFixed(0)}/s ran out of bodies; again with more`);
    q = await queryLoad(o, tools, node, workDir, c,
                        Math.ceil(q.requests_per_s * 2 * o.duration) + 2000, o.duration);
  }
  return q;
}

// ---- one run ----

async function oneRun(o, tools, runIndex) {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'phat-node-bench-'));
  const node = await startNode(tools.phatd, o.phatdArgs);
  const result = { queries: {}, health: {}, problems: [] };
  try {
    log(`run ${runIndex + 1}/${o.runs}: phatd at ${node.url} (pid ${node.child.pid})`);
    await runOrThrow(tools.bench, ['setup', '--url', node.url, '--contracts', tools.contracts,
                                   '--origins', String(o.commandConcurrency),
                                   '--out', path.join(workDir, 'state.json')]);
    for (const c of o.concurrency) {
      if (o.healthDuration > 0) {
        const h = await healthLoad(o, node, c);
        result.health[c] = h;
        for (const p of wrkProblems(h)) result.problems.push(`GET /health c=${c}: ${p}`);
      }
      const q = await timedQueryLoad(o, tools, node, workDir, c);
      result.queries[c] = q;
      for (const p of wrkProblems(q)) result.problems.push(`POST /query c=${c}: ${p}`);
      log(`c=${c}: ${q.requests_per_s.toFixed(0)} queries/s, p50 ${q.p50_us} us, ` +
          `p99 ${q.p99_us} us, phatd ${(q.phatdCpuSeconds / q.requests * 1e6).toFixed(0)} us ` +
          `CPU per query; cores busy: phatd ${q.cpu.phatd.toFixed(2)}, wrk ` +
          `${q.cpu.generator.toFixed(2)}, others ${q.cpu.others.toFixed(2)}; ` +
          `${q.listenOverflows} listen queue overflows`);
    }
    // phat_node_bench accounts for CPU itself: only its timed part, not its signing.
    const tcp0 = tcpCounters();
    const r = await run(tools.bench, ['commands', '--url', node.url,
                                      '--state', path.join(workDir, 'state.json'),
                                      '--count', String(o.commands),
                                      '--concurrency', String(o.commandConcurrency),
                                      '--connection', o.connection,
                                      '--batch', String(o.batch),
                                      '--pid', String(node.child.pid), '--json']);
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    if (r.status !== 0) result.problems.push(`commands: ${(r.stdout + r.stderr).trim()}`);
    if (!line) return result;  // the queries of this run still count
    const commands = JSON.parse(line);
    commands.listenOverflows = tcpCounters().listenOverflows - tcp0.listenOverflows;
    result.commands = commands;
    log(`commands: ${commands.committed_per_s.toFixed(0)} transfers/s committed, submit p50 ` +
        `${commands.submit_p50_us.toFixed(0)} us, ${commands.commands_per_block.toFixed(0)} per ` +
        `block, phatd ${commands.phatd_cpu_us_per_transfer.toFixed(0)} us ` +
        `CPU per transfer; cores busy: phatd ${commands.cpu.phatd.toFixed(2)}, others ` +
        `${commands.cpu.others.toFixed(2)}; ${commands.resent} sent again`);
  } finally {
    const code = await stopNode(node);
    if (code !== 0) result.problems.push(`phatd exited with ${code}:\n${node.output()}`);
    rmSync(workDir, { recursive: true, force: true });
  }
  return result;
}

// ---- the report ----

function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function formatNumber(x, unit) {
  if (!Number.isFinite(x)) return '—';
  if (unit === 'µs' && x >= 10_000) return formatNumber(x / 1000, 'ms');
  const digits = Math.abs(x) >= 100 ? 0 : 1;
  return `${x.toLocaleString('en-US', { maximumFractionDigits: digits })}${unit ? ` ${unit}` : ''}`;
}

// One row: the median and the range of a metric over the runs, against its target if it has one.
function row(name, values, unit, target) {
  const m = median(values);
  const finite = values.filter(Number.isFinite);
  const range = finite.length > 1
    ? `${formatNumber(Math.min(...finite), unit)} – ${formatNumber(Math.max(...finite), unit)}`
    : '';
  let targetText = '';
  let ratio = '';
  let status = '';
  if (target) {
    targetText = `${target.op} ${formatNumber(target.value, unit)}`;
    const r = m / target.value;
    ratio = Number.isFinite(r) ? `${r.toFixed(2)}×` : '—';
    const met = target.op === '≤' ? m <= target.value : m >= target.value;
    status = Number.isFinite(r) ? (met ? 'met' : '**not met**') : '—';
  }
  return `| ${name} | ${formatNumber(m, unit)} | ${range} | ${targetText} | ${ratio} | ${status} |`;
}

function printTable(o, runs) {
  const lines = [];
  lines.push('| metric | median | range over runs | target | ratio to target | status |');
  lines.push('|---|---|---|---|---|---|');
  const pick = (f) => runs.map((r) => { try { return f(r); } catch { return NaN; } });
  for (const c of o.concurrency) {
    const q = (f) => pick((r) => f(r.queries[c]));
    lines.push(row(`query p50 latency, c=${c}`, q((x) => x.p50_us), 'µs',
                   c === 1 ? { op: '≤', value: kTargets.queryP50Us } : null));
    lines.push(row(`query p99 latency, c=${c}`, q((x) => x.p99_us), 'µs'));
    lines.push(row(`queries/s, c=${c}`, q((x) => x.requests_per_s), '/s',
                   c > 1 ? { op: '≥', value: kTargets.queriesPerS } : null));
  }
  const cmd = (f) => pick((r) => f(r.commands));
  lines.push(row(`erc20 transfers committed/s (${o.commands}, ${o.commandConcurrency} connections)`,
                 cmd((x) => x.committed_per_s), '/s',
                 { op: '≥', value: kTargets.transfersPerS }));
  lines.push(row('transfer submit latency p50', cmd((x) => x.submit_p50_us), 'µs'));
  lines.push(row('transfer submit latency p99', cmd((x) => x.submit_p99_us), 'µs'));
  lines.push(row('transfer submit latency max', cmd((x) => x.submit_max_us), 'µs'));
  lines.push(row('transfers sent again after a dropped connection', cmd((x) => x.resent), ''));
  lines.push(row('transfers per block', cmd((x) => x.commands_per_block), ''));
  console.log(lines.join('\n'));

  // Where the time goes: CPU per request, the node's own query time, the HTTP floor.
  // Cores busy are CPU-seconds per second over the load (2 = both cores): phatd, the load
  // generator (wrk, or phat_node_bench with its signing), and every other process.
  const cores = (x) => `${x.phatd.toFixed(2)} / ${x.generator.toFixed(2)} / ${x.others.toFixed(2)}`;
  const detail = ['', '| load | phatd CPU per request | node-side query time (mean, /metrics) | ' +
                  'cores busy: phatd / generator / others | listen queue overflows | ' +
                  'GET /health, same load: req/s, p50 |',
                  '|---|---|---|---|---|---|'];
  for (const c of o.concurrency) {
    const q = (f) => median(pick((r) => f(r.queries[c])));
    const h = (f) => median(pick((r) => f(r.health[c])));
    const cpu = { phatd: q((x) => x.cpu.phatd), generator: q((x) => x.cpu.generator),
                  others: q((x) => x.cpu.others) };
    detail.push(`| queries, c=${c} | ` +
                `${formatNumber(q((x) => x.phatdCpuSeconds / x.requests * 1e6), 'µs')} | ` +
                `${formatNumber(q((x) => x.nodeQueryUs), 'µs')} | ${cores(cpu)} | ` +
                `${formatNumber(q((x) => x.listenOverflows))} | ` +
                `${formatNumber(h((x) => x.requests_per_s), '/s')}, ` +
                `${formatNumber(h((x) => x.p50_us), 'µs')} |`);
  }
  const c = (f) => median(pick((r) => f(r.commands)));
  const cpu = { phatd: c((x) => x.cpu.phatd), generator: c((x) => x.cpu.generator),
                others: c((x) => x.cpu.others) };
  detail.push(`| transfers, ${o.commandConcurrency} connections | ` +
              `${formatNumber(c((x) => x.phatd_cpu_us_per_transfer), 'µs')} | | ` +
              `${cores(cpu)} | ${formatNumber(c((x) => x.listenOverflows))} | |`);
  console.log(detail.join('\n'));
}

function printStages(stages) {
  const lines = ['',
                 '| stage (in process, one thread unless it says) | µs per call | per second |',
                 '|---|---|---|'];
  for (const { stage, us } of stages)
    lines.push(`| ${stage} | ${us.toFixed(2)} | ${formatNumber(1e6 / us)} |`);
  console.log(lines.join('\n'));
}

// ---- main ----

function findTools(o) {
  const tools = {
    phatd: path.join(o.buildDir, 'phatd'),
    bench: path.join(o.buildDir, 'bench', 'phat_node_bench'),
    contracts: path.join(o.buildDir, 'contracts'),
  };
  for (const [what, file] of Object.entries(tools))
    if (!existsSync(file)) usageError(`${file} (${what}) not found: run scripts/build first`);
  return tools;
}

async function main() {
  const o = parseOptions(process.argv.slice(2));
  const tools = findTools(o);
  const probe = await run('wrk', ['--version']);
  if (!/wrk/.test(probe.stdout + probe.stderr))
    usageError('wrk not found: install it (scripts/setup does, Debian package "wrk")');

  const started = Date.now();
  const runs = [];
  let failed = false;
  for (let i = 0; i < o.runs; ++i) {
    try {
      const r = await oneRun(o, tools, i);
      if (r.problems.length) {
        failed = true;
        console.error(`run ${i + 1} is invalid:\n  ${r.problems.join('\n  ')}`);
      }
      runs.push(r);
    } catch (e) {
      failed = true;
      console.error(`run ${i + 1} failed: ${e.message}`);
    }
  }
  const stages = JSON.parse((await runOrThrow(tools.bench, ['stages', '--json'])).stdout);

  const cores = os.cpus().length;
  console.log(`\nphatd under load over loopback: ${runs.length} run(s), ${o.duration} s of ` +
              `queries per concurrency (${o.kind}), wrk -t${o.wrkThreads}, connections ` +
              `${o.connection}; ${cores} cores ` +
              `(${os.cpus()[0]?.model ?? '?'}) shared by phatd, wrk and phat_node_bench; ` +
              `${((Date.now() - started) / 1000).toFixed(0)} s in all\n`);
  if (runs.length) printTable(o, runs);
  printStages(stages);
  console.log(`\nnode bench/node.mjs ${process.argv.slice(2).join(' ')}`.trimEnd());
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
