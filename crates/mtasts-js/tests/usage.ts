// A TypeScript program using the package as its README shows: `tsc --noEmit` must accept it
// against the package's declarations (types.test.mjs), and must reject each `@ts-expect-error`
// line, which shows the declarations are precise (no `any`).
import {
  checkDomain,
  generate,
  lintPolicy,
  lintReport,
  lintStsRecord,
  lintTlsa,
  lintTlsRptRecord,
  matchMx,
  type CheckReport,
  type CheckStep,
  type Finding,
  type FindingCode,
  type LintResult,
  type Mode,
  type Outcome,
  type Policy,
  type PolicyReply,
} from "mtasts";

const result: LintResult<Policy> = lintPolicy("version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 86400\n\n");
const valid: boolean = result.valid;
for (const finding of result.findings) {
  const line: number | undefined = finding.line;
  const code: FindingCode = finding.code;
  const severity: "error" | "warning" | "info" = finding.severity;
  console.log(code, severity, line ?? "-", finding.message, finding.rfc, valid);
}
if (result.value) {
  const mode: Mode = result.value.mode;
  const maxAge: number = result.value.max_age;
  const mx: string[] = result.value.mx;
  console.log(mode, maxAge, mx);
}
lintPolicy(new Uint8Array([118, 101, 114]));

const record = lintStsRecord(["v=STSv1; id=20240101T000000Z", "v=spf1 -all"]);
const id: string | undefined = record.value?.id;
const rua: string[] | undefined = lintTlsRptRecord("v=TLSRPTv1; rua=mailto:tlsrpt@example.com").value?.rua;
const usable: boolean | undefined = lintTlsa("3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6").value?.usable_for_smtp_dane;
const report = lintReport(new Uint8Array());
const failed: number | undefined = report.value?.failed;
const byType: Record<string, number> | undefined = report.value?.result_types;
const covered: boolean = matchMx("*.example.com", "mx1.example.com");
console.log(id, rua, usable, failed, byType, covered, lintReport("{}").valid);

const generated = generate({ domain: "example.com", mx: ["mx1.example.com"], mode: "testing", maxAge: 604800, rua: ["mailto:tlsrpt@example.com"] });
const txt: string = generated.sts_record.value;
const tlsrpt: string | undefined = generated.tlsrpt_record?.value;
console.log(generated.policy, txt, tlsrpt, generated.publish_order.join("\n"));

async function main(): Promise<void> {
  const steps: CheckStep[] = [];
  const check: CheckReport = await checkDomain("example.com", {
    doh: "https://cloudflare-dns.com/dns-query",
    onStep: (step) => steps.push(step),
    signal: AbortSignal.timeout(30_000),
    fetchPolicy: async (url: string, { signal }): Promise<PolicyReply> => {
      const response = await fetch(url, { redirect: "manual", signal });
      if (response.type === "opaqueredirect") return { error: { kind: "other", detail: "redirected" } };
      return { status: response.status, headers: [...response.headers], body: new Uint8Array(await response.arrayBuffer()) };
    },
  });
  const verdict: Outcome = check.verdict;
  const refusing = check.sender_matrix.filter((s) => s.outcome === "refuses").map((s) => s.response ?? s.reason);
  const hosts = check.mx.map((h) => `${h.host} ${h.preference ?? "implicit"} ${h.covered_by ?? "not covered"}`);
  const fetchError = check.policy?.error;
  if (fetchError?.kind === "tls") console.log(fetchError.class);
  const errors: Finding[] = check.findings.filter((f) => f.severity === "error");
  console.log(verdict, refusing, hosts, errors, check.records.mta_sts.lint.value?.id, steps.length);
  await checkDomain("example.com");
  await checkDomain("example.com", { fetchPolicy: () => ({ error: { kind: "tls", class: "expired", detail: "expired" } }) });
}
void main;

// The declarations are precise: each of these is an error.
// @ts-expect-error: lintPolicy takes text or bytes
lintPolicy(42);
// @ts-expect-error: not a finding code
const notACode: FindingCode = "policy.no-such-code";
// @ts-expect-error: not a mode
generate({ domain: "example.com", mx: [], mode: "strict" });
// @ts-expect-error: maxAge, not max_age
generate({ domain: "example.com", mx: [], max_age: 1 });
// @ts-expect-error: matchMx answers a boolean
const notAString: string = matchMx("a", "b");
// @ts-expect-error: checkDomain is a promise
checkDomain("example.com").verdict;
// @ts-expect-error: no such option
checkDomain("example.com", { dohUrl: "x" });
// @ts-expect-error: a timeout error has no detail
const timeoutDetail: PolicyReply = { error: { kind: "timeout", detail: "x" } };
console.log(notACode, notAString, timeoutDetail);
