// The package's README as a user follows it: its first Node example, run in this project where the
// tarball is installed, prints the findings of a broken policy. (browser.test.mjs loads its page
// example in Chromium.)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { test } from "node:test";
import { readmeExample } from "./support.mjs";

test("the README's Node example prints the findings of a broken policy", () => {
  writeFileSync("readme-example.mjs", readmeExample("Node", "js"));
  const out = execFileSync(process.execPath, ["readme-example.mjs"], { encoding: "utf8" });
  const lines = out.trim().split("\n");
  assert.equal(lines[0], "not valid");
  assert.match(lines[1], /^error policy\.blank-line line 5: An empty line after the last field .* \(RFC 8461 §3\.2\)$/);
  assert.match(lines[2], /^info policy\.line-endings line -: /);
});
