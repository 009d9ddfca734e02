import path from 'node:path';
import { hasPdfsig, validSignatures, type DemoCase } from './demo-helpers.ts';
import type { Partner } from './demo-partnerships.ts';
import type { YearOutcome } from './demo-reviews.ts';

// What the demo prints of the partnerships' year: the table of reviews, each partnership's
// status and term, and the signed documents with their paths — the agreements checked with
// pdfsig, if installed, for the centre's and the partner's signature.

interface ReviewRow {
  kindLabel: string;
  completedAt: string | null;
  totalScore: number | null;
  resultLabel: string | null;
  satisfaction: { ratings: number; satisfiedShare: number | null } | null;
  document: { id: string; verifyCode: string } | null;
}
interface Listed {
  statusLabel: string;
  signedAt: string;
  endsAt: string;
  reviews: ReviewRow[];
}

const date = (iso: string) => new Date(new Date(iso).getTime() + 8 * 60 * 60 * 1000).toISOString().slice(0, 10);

export async function printPartnershipReport(demo: DemoCase, partners: Partner[], outcome: YearOutcome, storageDir: string) {
  const rows = await demo.app.services.documents.storedDocuments(demo.recruitmentId);
  const fileOf = (id: string) => path.join(storageDir, rows.find((row) => row.id === id)!.storageName);
  const listed = new Map<Partner, Listed>();
  for (const partner of partners) listed.set(partner, await demo.call<Listed>('GET', `/partnerships/${partner.id}/reviews`, demo.agent));

  console.log('\n绩效考核（首年阶段考核、整改复核）');
  console.log(`${'合作伙伴'.padEnd(17, '　')}${'类别'.padEnd(7, '　')}${'考核'.padEnd(5, '　')}${'评价数'.padStart(4)}${'满意率'.padStart(6)}${'总分'.padStart(7)}  结果`);
  for (const partner of partners) {
    for (const review of listed.get(partner)!.reviews.filter((r) => r.completedAt)) {
      const share = review.satisfaction?.satisfiedShare;
      console.log(
        `${partner.name.padEnd(17, '　')}${partner.lotName.padEnd(7, '　')}${review.kindLabel.padEnd(5, '　')}${String(review.satisfaction?.ratings ?? 0).padStart(7)}${(share == null ? '—' : `${(share * 100).toFixed(1)}%`).padStart(9)}${(review.totalScore ?? 0).toFixed(2).padStart(9)}  ${review.resultLabel}`,
      );
    }
  }

  console.log('\n合作关系状态');
  for (const partner of partners) {
    const { statusLabel, signedAt, endsAt } = listed.get(partner)!;
    const role = partner === outcome.a ? '（A：首年不合格，整改后合格）' : partner === outcome.b ? '（B：整改复核不合格，已终止）' : '';
    console.log(`  ${partner.name.padEnd(17, '　')}${statusLabel.padEnd(5, '　')}合作期限 ${date(signedAt)} 至 ${date(endsAt)}${role}`);
  }

  const pdfsig = hasPdfsig();
  console.log(`\n正式合作协议（中心与合作伙伴双方电子签名）${pdfsig ? '：pdfsig 核验有效签名数' : ''}`);
  for (const partner of partners) {
    const file = fileOf(partner.agreement.id);
    console.log(`  ${file}  ${partner.name}  验证码 ${partner.agreement.verifyCode}${pdfsig ? `  有效签名 ${validSignatures(file)}/2` : ''}`);
  }
  console.log('考核结果通知书');
  for (const partner of partners) {
    for (const review of listed.get(partner)!.reviews.filter((r) => r.document)) {
      console.log(`  ${fileOf(review.document!.id)}  ${partner.name} ${review.kindLabel}：${review.resultLabel}  验证码 ${review.document!.verifyCode}`);
    }
  }
  const notice = outcome.termination;
  console.log('终止合作通知书');
  console.log(`  ${fileOf(notice.id)}  ${outcome.b.name}  验证码 ${notice.verifyCode}`);
}
