// graphile-worker's half of benches/queue_side_by_side.sh (the other half is
// stores/postgres/benches/side_by_side.rs), on the server at $XSPENSE_TEST_DATABASE_URL
// (a database of its own, dropped at the end), at a concurrency of C jobs in one worker pool:
// - drain throughput: N jobs added up front in one `addJobs` call, then the time from `run`
//   until every job is completed (its row gone), once with the defaults and once with a local
//   queue of ten jobs (graphile-worker's documented batching, the counterpart of claim_many(10));
// - add-to-start latency: jobs added one at a time (`addJob`) at a steady rate while the
//   worker idles; the payload carries the moment before the add, the handler notes its start.
// Prints one JSON line. XSPENSE_BENCH_CONCURRENCY, XSPENSE_BENCH_TASKS,
// XSPENSE_BENCH_LATENCY_TASKS and XSPENSE_BENCH_RATE change the defaults (those of the Rust half).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { Logger, makeWorkerUtils, run, runMigrations } from "graphile-worker";

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const CONCURRENCY = env("XSPENSE_BENCH_CONCURRENCY", 4);
const TASKS = env("XSPENSE_BENCH_TASKS", 10_000);
const LATENCY_TASKS = env("XSPENSE_BENCH_LATENCY_TASKS", 2_000);
const RATE_PER_S = env("XSPENSE_BENCH_RATE", 200);
const LOCAL_QUEUE = 10;
/// graphile-worker's default; new jobs arrive by LISTEN/NOTIFY, polling is the fallback.
const POLL_INTERVAL_MS = 2_000;
/// How often the drain checks whether the last completions are committed.
const DONE_POLL_MS = 1;
/// graphile-worker's addJobs takes this many jobs per call comfortably.
const ADD_CHUNK = 5_000;

const server = process.env.XSPENSE_TEST_DATABASE_URL;
if (!server) throw new Error("XSPENSE_TEST_DATABASE_URL: see scripts/test-postgres.sh");
const name = `graphile_side_${process.pid}`;
const url = server.replace(/\/[^/]*$/, `/${name}`);

// errors only: a log line per job would cost more than the job
const logger = new Logger(() => (level, message) => {
  if (level === "error") console.error(message);
});

async function admin(sql) {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// Pools of our own, ended before the database is dropped (a pool graphile-worker ends by
// itself may still hold a connection then, and its error would end the process).
const pools = [];
function pool() {
  const p = new pg.Pool({ connectionString: url, max: CONCURRENCY + 2 });
  const report = (e) => console.error(`pool: ${e.message}`);
  p.on("error", report);
  p.on("connect", (client) => client.on("error", report));
  pools.push(p);
  return p;
}

function options(taskList, preset) {
  return {
    pgPool: pool(),
    concurrency: CONCURRENCY,
    pollInterval: POLL_INTERVAL_MS,
    noHandleSignals: true,
    logger,
    taskList,
    preset,
  };
}

async function remaining(client) {
  const r = await client.query("SELECT count(*)::int AS n FROM graphile_worker._private_jobs");
  return r.rows[0].n;
}

async function drain(utils, preset) {
  for (let i = 0; i < TASKS; i += ADD_CHUNK) {
    const n = Math.min(ADD_CHUNK, TASKS - i);
    await utils.addJobs(Array.from({ length: n }, (_, k) => ({ identifier: "categorize", payload: { n: i + k } })));
  }
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  let handled = 0;
  let allHandled;
  const handledAll = new Promise((resolve) => (allHandled = resolve));
  const taskList = {
    categorize: async () => {
      if (++handled === TASKS) allHandled();
    },
  };
  const started = performance.now();
  const runner = await run(options(taskList, preset));
  await handledAll;
  while ((await remaining(watcher)) > 0) await sleep(DONE_POLL_MS);
  const took = (performance.now() - started) / 1000;
  await runner.stop();
  await watcher.end();
  return TASKS / took;
}

async function addToStart(utils) {
  const latencies = [];
  let allStarted;
  const startedAll = new Promise((resolve) => (allStarted = resolve));
  const taskList = {
    timed: async (payload) => {
      latencies.push(performance.now() - payload.added);
      if (latencies.length === LATENCY_TASKS) allStarted();
    },
  };
  const runner = await run(options(taskList));
  await sleep(100); // the worker is idle and listening by now
  const gap = 1000 / RATE_PER_S;
  const start = performance.now();
  for (let i = 0; i < LATENCY_TASKS; i++) {
    const wait = start + gap * i - performance.now();
    if (wait > 0) await sleep(wait);
    await utils.addJob("timed", { added: performance.now() });
  }
  await startedAll;
  await runner.stop();
  return latencies.sort((a, b) => a - b);
}

const pct = (sorted, p) => Math.round(sorted[Math.round((sorted.length - 1) * p)] * 1000) / 1000;

await admin(`CREATE DATABASE ${name}`);
try {
  await runMigrations({ pgPool: pool(), logger });
  const utils = await makeWorkerUtils({ pgPool: pool(), logger });
  const drainDefault = await drain(utils);
  const drainLocal = await drain(utils, { worker: { localQueue: { size: LOCAL_QUEUE } } });
  const lat = await addToStart(utils);
  await utils.release();
  console.log(
    JSON.stringify({
      queue: "graphile-worker",
      version: JSON.parse(readFileSync(new URL("node_modules/graphile-worker/package.json", import.meta.url))).version,
      concurrency: CONCURRENCY,
      tasks: TASKS,
      drain_per_s: Math.round(drainDefault),
      drain_batch: LOCAL_QUEUE,
      drain_batched_per_s: Math.round(drainLocal),
      latency_tasks: lat.length,
      rate_per_s: RATE_PER_S,
      p50_ms: pct(lat, 0.5),
      p90_ms: pct(lat, 0.9),
      p99_ms: pct(lat, 0.99),
      max_ms: pct(lat, 1),
    }),
  );
} finally {
  await Promise.all(pools.map((p) => p.end()));
  await admin(`DROP DATABASE ${name} WITH (FORCE)`);
}
