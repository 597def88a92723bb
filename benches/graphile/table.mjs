// The table of benches/queue_side_by_side.sh: medians over the rounds of its JSON lines
// (argument: the file), per queue and concurrency, as Markdown.
import { readFileSync } from "node:fs";

const FIELDS = [
  ["drain_per_s", "drain tasks/s"],
  ["drain_batched_per_s", "drain, batches of 10"],
  ["p50_ms", "add-to-start p50 ms"],
  ["p90_ms", "p90 ms"],
  ["p99_ms", "p99 ms"],
  ["max_ms", "max ms"],
  ["enqueue_per_s", "enqueue tasks/s"],
  ["gcra_decisions_per_s", "GCRA decisions/s"],
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const rows = readFileSync(process.argv[2], "utf8")
  .split("\n")
  .filter((l) => l.trim().startsWith("{"))
  .map((l) => JSON.parse(l));
const groups = new Map();
for (const r of rows) {
  const key = `${r.queue}\t${r.concurrency}`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(r);
}

console.log(`| queue | concurrency | rounds | ${FIELDS.map(([, h]) => h).join(" | ")} |`);
console.log(`|${"---|".repeat(FIELDS.length + 3)}`);
for (const [key, rs] of [...groups].sort()) {
  const [queue, c] = key.split("\t");
  const cells = FIELDS.map(([f]) => {
    const xs = rs.map((r) => r[f]).filter((x) => typeof x === "number");
    return xs.length ? String(median(xs)) : "";
  });
  console.log(`| ${queue} | ${c} | ${rs.length} | ${cells.join(" | ")} |`);
}
