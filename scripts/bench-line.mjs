// One row of `make bench`'s summary (scripts/bench-summary.mjs reads them back from the logs):
// `BENCH {"row","now","value","op","goal"}`, the figure measured and the goal for it
// (op "<=" or ">="; goal null when the row only informs).

/** Prints one summary row: `value` (shown as `now`) against `op goal`. */
export function benchLine(row, value, now, op = null, goal = null) {
  console.log(`BENCH ${JSON.stringify({ row, value, now, op, goal })}`);
}
