// `make bench`'s last step: the `BENCH` rows (scripts/bench-line.mjs) of every log named on the
// command line, as one table: the row, the figure measured now, the goal, whether it is met.
import { readFileSync } from "node:fs";

const rows = process.argv.slice(2).flatMap((file) =>
  readFileSync(file, "utf8").split("\n").filter((l) => l.startsWith("BENCH ")).map((l) => JSON.parse(l.slice(6))));
const met = (r) => {
  if (r.op === null || r.goal === null) return "-";
  const ok = r.op === "<=" ? r.value <= r.goal : r.value >= r.goal;
  return ok ? "yes" : "NO";
};
const table = [["row", "now", "goal", "met?"], ...rows.map((r) => [r.row, r.now, r.op ? `${r.op} ${r.goal}` : "-", met(r)])];
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
console.log("\nmake bench: summary");
for (const [n, r] of table.entries()) {
  console.log(`| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`);
  if (n === 0) console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
}
