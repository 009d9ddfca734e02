import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { loadDocumentAssets } from '../server/lib/document-assets.ts';
import { renderDocument, type DocumentRequest } from '../server/lib/pdf/documents.ts';
import { createDevelopmentCertificate, createP12Signer } from '../server/lib/signing.ts';
import { formatVerificationCode, VERIFICATION_CODE_BYTES } from '../server/lib/verification-code.ts';
import {
  SAMPLE_PUBLIC_URL,
  sampleAuditCheckpoint,
  sampleAwardNotice,
  sampleDraftAgreement,
  sampleEvaluationReport,
  sampleOpeningRecord,
  sampleRejectionNotice,
} from '../test/helpers/documents.ts';

// `npm run bench:documents`: what producing a signed document costs, beside the goals of issue
// 16. First the 27 documents the demo issues up to the award, in its order, in a fresh process
// (its first document also pays for parsing the 17 MB fonts and loading the PDF modules), then
// N renders + signatures of each kind with a fresh verification code. The goals are wall-clock
// times, which on a shared machine follow its load (printed first); the CPU time of this process
// (all its threads, the garbage collector's too) is printed beside them as the figure that does
// not. Profile: `npx tsx --cpu-prof --cpu-prof-dir=/tmp/prof scripts/bench-documents.ts` (README).

const N = Number(process.argv[2] ?? 20);
const GOAL_DEMO_MS = 2000;
const GOAL_AWARD_NOTICE_MS = 20;
const assets = await loadDocumentAssets();
const signer = createP12Signer(
  createDevelopmentCertificate({ centre: '浙江省职工服务中心', password: 'bench', notBefore: new Date() }).p12,
  'bench',
);
const env = { ...assets, publicUrl: SAMPLE_PUBLIC_URL };

async function produce(request: DocumentRequest) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { pdf } = await renderDocument(request, env);
  const rendered = performance.now();
  const signed = await signer.sign(pdf, { signingTime: new Date(), reason: '签发', location: '杭州', name: '浙江省职工服务中心' });
  const { user, system } = process.cpuUsage(cpu);
  return { renderMs: rendered - started, signMs: performance.now() - rendered, cpuMs: (user + system) / 1000, bytes: signed.length };
}

const code = () => formatVerificationCode(randomBytes(VERIFICATION_CODE_BYTES));
const verdict = (ms: number, goal: number) => `${ms.toFixed(0)} ms (goal ≤ ${goal} ms: ${ms <= goal ? 'met' : 'NOT met'})`;
console.log(`load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);

// what the demo issues: the opening record, the evaluation report, then per organisation an award
// notice and a draft agreement (7 selected) or a not-selected notice (11); the sample records
// list 12 bids where the demo's list 18
const demo: (() => DocumentRequest)[] = [
  () => sampleOpeningRecord(code()),
  () => sampleEvaluationReport(code()),
  ...Array.from({ length: 7 }, () => [() => sampleAwardNotice(code()), () => sampleDraftAgreement(code())]).flat(),
  ...Array.from({ length: 11 }, () => () => sampleRejectionNotice(code())),
];
for (const label of ['fresh process, fonts parsed by the first', 'again, warm']) {
  const started = performance.now();
  let cpuMs = 0;
  for (const make of demo) cpuMs += (await produce(make())).cpuMs;
  console.log(`the demo's ${demo.length} documents (${label}): ${verdict(performance.now() - started, GOAL_DEMO_MS)}, CPU ${cpuMs.toFixed(0)} ms`);
}

console.log(`\n${N} × render + sign, ms per document: wall median / mean / max (render, sign), CPU mean, size`);
const kinds: [string, () => DocumentRequest][] = [
  ['award notice', () => sampleAwardNotice(code())],
  ['not-selected notice', () => sampleRejectionNotice(code())],
  ['draft agreement', () => sampleDraftAgreement(code())],
  ['opening record (12 bids)', () => sampleOpeningRecord(code())],
  ['evaluation report (12 bids)', () => sampleEvaluationReport(code())],
  ['audit checkpoint', () => sampleAuditCheckpoint(code())],
];
let awardNotice = { median: Number.NaN, cpu: Number.NaN };
for (const [label, make] of kinds) {
  const runs = [];
  for (let i = 0; i < N; i++) runs.push(await produce(make()));
  const totals = runs.map((run) => run.renderMs + run.signMs).sort((a, b) => a - b);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const cpu = mean(runs.map((run) => run.cpuMs));
  if (label === 'award notice') awardNotice = { median: totals[Math.floor(N / 2)]!, cpu };
  console.log(
    `${label.padEnd(28)} ${totals[Math.floor(N / 2)]!.toFixed(0).padStart(5)} / ${mean(totals).toFixed(0).padStart(5)} / ` +
      `${totals[N - 1]!.toFixed(0).padStart(5)} ms   (render ${mean(runs.map((run) => run.renderMs)).toFixed(1)}, ` +
      `sign ${mean(runs.map((run) => run.signMs)).toFixed(1)})   CPU ${cpu.toFixed(1)}   ${(mean(runs.map((run) => run.bytes)) / 1024).toFixed(0)} KB`,
  );
}
console.log(
  `\naward notice, render + sign after warm-up (median): ${verdict(awardNotice.median, GOAL_AWARD_NOTICE_MS)}, CPU ${awardNotice.cpu.toFixed(1)} ms`,
);
