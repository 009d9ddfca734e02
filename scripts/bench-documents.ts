import { randomBytes } from 'node:crypto';
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

// `npm run bench:documents`: what producing a signed document costs, printed rather than
// asserted (timings depend on the machine). Each document is rendered and signed N times with a
// fresh verification code; the first document of the run also pays for parsing the 17 MB fonts.

const N = Number(process.argv[2] ?? 20);
const assets = await loadDocumentAssets();
const signer = createP12Signer(
  createDevelopmentCertificate({ centre: '浙江省职工服务中心', password: 'bench', notBefore: new Date() }).p12,
  'bench',
);
const env = { ...assets, publicUrl: SAMPLE_PUBLIC_URL };

async function produce(request: DocumentRequest) {
  const started = performance.now();
  const { pdf } = await renderDocument(request, env);
  const rendered = performance.now();
  const signed = await signer.sign(pdf, { signingTime: new Date(), reason: '签发', location: '杭州', name: '浙江省职工服务中心' });
  return { renderMs: rendered - started, signMs: performance.now() - rendered, bytes: signed.length };
}

const code = () => formatVerificationCode(randomBytes(VERIFICATION_CODE_BYTES));
const cold = await produce(sampleAwardNotice(code()));
console.log(`first document of the process (fonts parsed): ${(cold.renderMs + cold.signMs).toFixed(0)} ms`);
console.log(`\n${N} × render + sign, ms per document (median / mean / max), size`);

const kinds: [string, () => DocumentRequest][] = [
  ['award notice', () => sampleAwardNotice(code())],
  ['not-selected notice', () => sampleRejectionNotice(code())],
  ['draft agreement', () => sampleDraftAgreement(code())],
  ['opening record (12 bids)', () => sampleOpeningRecord(code())],
  ['evaluation report (12 bids)', () => sampleEvaluationReport(code())],
  ['audit checkpoint', () => sampleAuditCheckpoint(code())],
];
for (const [label, make] of kinds) {
  const runs = [];
  for (let i = 0; i < N; i++) runs.push(await produce(make()));
  const totals = runs.map((run) => run.renderMs + run.signMs).sort((a, b) => a - b);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  console.log(
    `${label.padEnd(28)} ${totals[Math.floor(N / 2)]!.toFixed(0).padStart(5)} / ${mean(totals).toFixed(0).padStart(5)} / ` +
      `${totals[N - 1]!.toFixed(0).padStart(5)} ms   (render ${mean(runs.map((run) => run.renderMs)).toFixed(0)}, ` +
      `sign ${mean(runs.map((run) => run.signMs)).toFixed(0)})   ${(mean(runs.map((run) => run.bytes)) / 1024).toFixed(0)} KB`,
  );
}
