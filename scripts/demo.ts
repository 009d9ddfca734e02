import { rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { buildApp, type App } from '../server/app.ts';
import { loadConfig, type Config } from '../server/config.ts';
import { usccCheckCharacter } from '../server/domain/accounts/uscc.ts';
import { indicatorLabel } from '../server/domain/inspection/indicators/index.ts';
import type { AlertSeverity, AlertStatus } from '../server/domain/inspection/types.ts';
import { digestDue } from '../server/domain/notifications/digest-mail.ts';
import { DEFAULT_ELIGIBILITY } from '../server/domain/recruitments/rules.ts';
import { createDatabase } from '../server/db/client.ts';
import { createAdjustableClock } from '../server/lib/clock.ts';
import { ALERT_STATUS_LABELS, SEVERITY_LABELS } from '../server/lib/labels.ts';
import { loadSigner } from '../server/lib/signing-key.ts';
import { createStorage } from '../server/lib/storage.ts';
import { PROJECT_ROOT } from '../server/paths.ts';
import { multipart } from '../test/helpers/multipart.ts';
import { VERIFICATION_SUBJECT } from '../test/helpers/organizations.ts';
import { linkTokenInOutbox, mailsIn } from '../test/helpers/outbox-links.ts';
import { apiCaller, DAY, halfPoints, hasPdfsig, HOUR, noise, validSignatures, type DemoCase } from './demo-helpers.ts';
import { printPartnershipReport } from './demo-partnership-report.ts';
import { concludeAgreements } from './demo-partnerships.ts';
import { DAYS_AFTER_AWARD, runFirstYear } from './demo-reviews.ts';

// `npm run demo`: the Zhejiang model case of SPEC §8 from start to award and through the
// partnership's first year, against a fresh embedded database in a fresh storage/demo/: 18
// organisations bid for three lots, the agent and the inspector open the bids, a panel of five
// scores them, the candidates are announced, and after publicity the inspector signs the award
// off and the agent awards; then the 7 partners sign, publish their offers, workers rate them
// over a year, the stage reviews follow (demo-partnerships.ts, demo-reviews.ts). The app is built
// in-process and driven through its HTTP API with app.inject, on an adjustable clock that the
// script moves through the weeks and months. Scores are generated deterministically.

const STORAGE_DIR = path.join(PROJECT_ROOT, 'storage', 'demo');
const CENTRE = '浙江省职工服务中心';
const PASSPHRASE = 'demo opening passphrase';
const PASSWORD = 'demo-password-2025';
const STAFF = {
  admin: 'admin@zjzg.example.cn',
  agent: 'agent@zjzg.example.cn',
  inspector: 'inspector@zjzg.example.cn',
  escrow: 'escrow@zjzg.example.cn',
};
const STAFF_SIGN_INS = [
  ['系统管理员', STAFF.admin],
  ['密钥托管人', STAFF.escrow],
  ['招标代理', STAFF.agent],
  ['纪检监督员', STAFF.inspector],
] as const;

const LOTS = [
  { key: 'performing-arts', name: '文艺演出', quota: 3, description: '在职工文化宫剧场和各服务阵地举办面向职工的文艺演出，开设合唱、舞蹈、器乐等职工艺术培训。' },
  { key: 'sports', name: '体育组织', quota: 2, description: '运营职工健身场馆，组织职工体育赛事、健身培训和群众性体育活动。' },
  { key: 'event-planning', name: '公益活动策划', quota: 2, description: '策划和承办劳模工匠宣传、职工关爱、节日慰问等工会公益活动。' },
];
const CRITERIA = [
  { key: 'plan', name: '公益服务方案', maxScore: 30, description: '服务内容、场次安排与职工需求的契合度' },
  { key: 'ability', name: '资质与专业能力', maxScore: 20, description: '资质证书、专业团队和设施设备' },
  { key: 'record', name: '业绩与信用', maxScore: 15, description: '近三年同类项目业绩和信用记录' },
  { key: 'share', name: '免费/优惠名额比例', maxScore: 20, description: '面向职工的免费或优惠名额占比' },
  { key: 'revenue', name: '合作及收益方案', maxScore: 15, description: '投资计划、收益测算与分配的合理性' },
];
/** name, lot, unified social credit code prefix (registration authority + type + region) */
const ORGANIZATIONS: [string, string, string][] = [
  ['杭州市西湖区星光艺术团', 'performing-arts', '52330106'],
  ['浙江钱塘爱乐合唱团', 'performing-arts', '52330000'],
  ['宁波市甬江民乐艺术中心', 'performing-arts', '52330203'],
  ['温州市鹿城区越剧传承研究会', 'performing-arts', '51330302'],
  ['绍兴市柯桥区舞韵文化艺术团', 'performing-arts', '52330603'],
  ['杭州拱墅运河戏曲文化传播有限公司', 'performing-arts', '91330105'],
  ['浙江省职工体育健身协会', 'sports', '51330000'],
  ['杭州运河羽毛球俱乐部有限公司', 'sports', '91330105'],
  ['嘉兴市南湖区乒乓球运动协会', 'sports', '51330402'],
  ['湖州市太湖健身步道服务中心', 'sports', '52330502'],
  ['衢州市柯城区全民健身指导中心', 'sports', '52330802'],
  ['舟山市定海区海岛体育发展有限公司', 'sports', '91330902'],
  ['浙江之江公益活动策划有限公司', 'event-planning', '91330106'],
  ['金华市婺城区社工服务社', 'event-planning', '52330702'],
  ['台州市和合公益发展中心', 'event-planning', '52331002'],
  ['丽水市处州职工关爱服务中心', 'event-planning', '52331102'],
  ['杭州滨江匠心文化创意有限公司', 'event-planning', '91330108'],
  ['温州市瓯海区邻里公益服务社', 'event-planning', '52330304'],
];
const EXPERTS: [string, string[]][] = [
  ['陈立华', ['文艺演出', '群众文化']],
  ['王晓梅', ['文艺演出']],
  ['李建国', ['体育', '场馆运营']],
  ['赵敏', ['体育']],
  ['孙浩然', ['公益活动策划', '社会工作']],
  ['周雅琴', ['社会工作']],
  ['吴国平', ['财务', '投资评估']],
  ['郑丽娟', ['法律']],
  ['冯志强', ['工会工作']],
  ['何静', ['群众文化', '公益活动策划']],
  ['沈文斌', ['财务']],
];

const uscc = (prefix: string, index: number) => {
  const body = `${prefix}${String(31_400_000 + index * 7919).padStart(8, '0')}X`;
  return `${body}${usccCheckCharacter(body)}`;
};

async function bidPdf(name: string, code: string, lot: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  const lines = ['Response document (demo)', `USCC ${code}`, `Lot ${lot}`, `Organisation: see the portal record (${name.length} characters)`];
  lines.forEach((line, i) => page.drawText(line, { x: 72, y: 760 - i * 24, size: 14, font }));
  return Buffer.from(await doc.save());
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '林'];

/**
 * Where each organisation's bid comes from: its own office's address, except that the eighth
 * shares the sixth's (two organisations in one office building by the Grand Canal): the red flag
 * the demo shows, which the inspector checks and dismisses with its reason.
 */
const SHARED_OFFICE = { first: 5, second: 7 };
const bidAddress = (index: number) => `203.0.113.${10 + (index === SHARED_OFFICE.second ? SHARED_OFFICE.first : index)}`;

async function main() {
  const started = performance.now();
  rmSync(STORAGE_DIR, { recursive: true, force: true });
  const storage = createStorage(STORAGE_DIR);
  // the PDFs' QR codes and the mails' links point where the demo will be served: PUBLIC_URL, or
  // http://127.0.0.1:$PORT (3000 when unset), as `npm start` serves it
  const config = loadConfig({ STORAGE_DIR, PUBLIC_URL: process.env.PUBLIC_URL, PORT: process.env.PORT, MIN_TENDER_DAYS: '20' });
  // the procedure takes about five weeks and the partnerships' first year with its rectification
  // about fourteen months more; it starts in the past so the termination falls about now
  const clock = createAdjustableClock(new Date(Date.now() - (32 + DAYS_AFTER_AWARD) * DAY));
  const signing = loadSigner({ p12Path: null, password: null, storage, now: clock.now() });
  const database = await createDatabase({ url: null, dataDir: storage.databaseDir });
  await database.migrate();
  const app = await buildApp({ config, db: database.db, clock, storage, signer: signing.signer });
  await app.ready();
  try {
    await runCase(app, clock, started, storage.outboxDir, config);
  } finally {
    await app.close();
    await database.close();
  }
}

async function runCase(app: App, clock: ReturnType<typeof createAdjustableClock>, started: number, outboxDir: string, config: Config) {
  const call = apiCaller(app);
  const login = async (email: string, password = PASSWORD) => (await call<{ token: string }>('POST', '/auth/login', null, { email, password })).token;
  const step = (text: string) => console.log(`· ${text}`);
  /** how long the documents a step triggers take to render, sign and store (and mail) */
  const timings: { label: string; seconds: number }[] = [];
  const timed = async (label: string, action: () => Promise<unknown>) => {
    await app.services.documents.idle();
    const from = performance.now();
    await action();
    await app.services.documents.idle();
    timings.push({ label, seconds: (performance.now() - from) / 1000 });
  };

  // ── people ──
  await app.services.accounts.ensureAdmin({ email: STAFF.admin, password: PASSWORD });
  const admin = await login(STAFF.admin);
  const staff = async (email: string, name: string, role: string, extra: object = {}) =>
    (await call<{ id: string }>('POST', '/users', admin, { email, name, role, password: PASSWORD, ...extra })).id;
  await staff(STAFF.agent, '张卫东', 'agent');
  const inspectorId = await staff(STAFF.inspector, '刘清', 'inspector');
  const escrowId = await staff(STAFF.escrow, '黄振宇（密钥托管）', 'admin');
  const agent = await login(STAFF.agent);
  const inspector = await login(STAFF.inspector);
  for (const token of [agent, inspector, await login(STAFF.escrow)]) {
    await call('PUT', '/me/opening-key', token, { passphrase: PASSPHRASE });
  }
  // the escrow holder is the administrator's choice, never the agent's
  await call('PUT', '/settings/escrow-holder', admin, { userId: escrowId });
  const experts: { id: string; email: string }[] = [];
  for (const [index, [name, specialties]] of EXPERTS.entries()) {
    const email = `expert${index + 1}@zjzg.example.cn`;
    experts.push({ id: await staff(email, name, 'expert', { specialties }), email });
  }
  const organizations: { name: string; lot: string; uscc: string; email: string; token: string }[] = [];
  for (const [index, [name, lot, prefix]] of ORGANIZATIONS.entries()) {
    const code = uscc(prefix, index);
    const email = `org${String(index + 1).padStart(2, '0')}@partners.example.cn`;
    await call('POST', '/organizations', null, {
      name,
      uscc: code,
      type: prefix.startsWith('91') ? '企业' : '社会组织',
      legalRepresentative: `${SURNAMES[index]}${['建华', '秀英', '伟', '洋', '静', '帆'][index % 6]}`,
      contactName: ['赵磊', '孙丽', '周杰', '吴敏', '郑浩', '钱芳'][index % 6],
      phone: `0571-8${String(7_000_000 + index * 137).padStart(7, '0')}`,
      email,
      password: PASSWORD,
      address: `浙江省${/^(.{2}市)/.exec(name)?.[1] ?? '杭州市'}文化路 ${index + 10} 号`,
    });
    // each organisation follows the link mailed to it, as it must before it can bid
    await app.services.mailer.drain();
    await call('POST', '/auth/verify-email', null, { token: await linkTokenInOutbox(outboxDir, email, VERIFICATION_SUBJECT) });
    organizations.push({ name, lot, uscc: code, email, token: await login(email) });
  }
  step(`中心、经办人、纪检监督员、密钥托管人、${experts.length} 名评审专家、${organizations.length} 家响应单位已注册`);

  // ── recruitment ──
  const now = clock.now().getTime();
  const { id } = await call<{ id: string }>('POST', '/recruitments', agent, {
    title: '浙江省职工服务中心职工服务阵地社会化运营合作伙伴招募',
    summary: '参照公开招标程序，招募文艺演出、体育组织、公益活动策划三类社会化运营合作伙伴。',
    body: '## 招募内容\n\n浙江省职工服务中心参照政府采购公开招标程序，面向社会招募职工服务阵地社会化运营合作伙伴。\n\n合作项目须向职工提供一定比例的免费或优惠名额。',
    owner: CENTRE,
    lots: LOTS,
    eligibility: DEFAULT_ELIGIBILITY,
    criteria: CRITERIA,
    minPublicBenefitRatio: 20,
    agreementTermMonths: 36,
    questionsDeadline: new Date(now + 10 * DAY).toISOString(),
    submissionDeadline: new Date(now + 21 * DAY).toISOString(),
    publicityDays: 5,
    decisionRef: '浙工服〔2025〕12 号（中心党组会议集体决策）',
  });
  await call('POST', `/recruitments/${id}/publish`, agent, { inspectorId });
  step(`招募公告已发布（三个类别，评分标准五项合计 100 分），提交截止为 21 天后`);

  // ── bids ──
  const declarations = JSON.stringify(Object.fromEntries(DEFAULT_ELIGIBILITY.map((c) => [c.key, true])));
  const ratios = new Map<string, number>();
  for (const [index, organization] of organizations.entries()) {
    clock.set(new Date(now + 3 * DAY + index * 7 * HOUR));
    const ratio = 20 + Math.round(noise(index, 1) * 20);
    ratios.set(organization.name, ratio);
    const body = multipart(
      { lot: organization.lot, publicBenefitRatio: String(ratio), declarations, summary: `${organization.name}的响应方案摘要` },
      [{ filename: `响应文件-${organization.uscc}.pdf`, content: await bidPdf(organization.name, organization.uscc, organization.lot) }],
    );
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/recruitments/${id}/bids`,
      headers: { authorization: `Bearer ${organization.token}`, ...body.headers },
      payload: body.payload,
      remoteAddress: bidAddress(index),
    });
    if (response.statusCode !== 201) throw new Error(`bid of ${organization.name}: ${response.body}`);
  }
  step(`${organizations.length} 家单位提交了响应文件（每类 6 家，均已加密封存）`);
  // what the server's watch does within seconds of each change: the red flags are reviewed
  await app.services.inspection.review.reviewNewEntries();
  const [shared] = await call<{ id: string; subject: string }[]>('GET', `/inspector/alerts?recruitmentId=${id}&indicator=bids_from_one_address`, inspector);
  if (shared) {
    await call('POST', `/inspector/alerts/${shared.id}/decision`, inspector, {
      status: 'dismissed',
      note: '经核实，两家单位同在一座办公楼内、共用出口网络地址，法定代表人、联系方式和响应文件均无关联。',
    });
    step(`监督预警：${shared.subject}；纪检监督员核实后排除并注明理由`);
  }

  // ── opening ──
  clock.set(new Date(now + 21 * DAY + 30 * 60 * 1000));
  await call('POST', `/recruitments/${id}/opening/start`, agent);
  await call('POST', `/recruitments/${id}/opening/attend`, inspector);
  for (const organization of organizations.slice(0, 6)) await call('POST', `/recruitments/${id}/opening/attend`, organization.token);
  // each key holder confirms the fingerprint it compared with the signed announcement
  const { bidKeyFingerprint } = await call<{ bidKeyFingerprint: string }>('GET', `/recruitments/${id}`, null);
  await call('POST', `/recruitments/${id}/opening/unlock`, agent, { passphrase: PASSPHRASE, bidKeyFingerprint });
  await call('POST', `/recruitments/${id}/opening/unlock`, inspector, { passphrase: PASSPHRASE, bidKeyFingerprint });
  clock.advance(40 * 60 * 1000);
  await timed('开标记录（含首次读取字体）', () =>
    call('POST', `/recruitments/${id}/opening/sign-off`, inspector, { comment: '开标程序符合招募文件规定，解封及摘要比对全程在线留痕。' }),
  );
  step('开标：经办人与纪检监督员两把密钥解封，摘要全部核对一致，纪检监督员签字确认');
  const opening = await call<{ record: { bidId: string; organization: string }[] }>('GET', `/recruitments/${id}/opening`, agent);

  // ── evaluation ──
  clock.advance(DAY);
  const draw = await call<{ members: { userId: string; order: number }[] }>('POST', `/recruitments/${id}/panel/draw`, agent, { size: 5 });
  const panel = [...draw.members].sort((a, b) => a.order - b.order).map((m) => experts.find((e) => e.id === m.userId)!);
  const panelTokens = await Promise.all(panel.map((expert) => login(expert.email)));
  for (const token of panelTokens) await call('POST', `/recruitments/${id}/panel/declaration`, token, { conflict: false, note: '' });
  const allPass = { results: Object.fromEntries(DEFAULT_ELIGIBILITY.map((c) => [c.key, 'pass'])), reason: '' };
  for (const record of opening.record) await call('PUT', `/recruitments/${id}/qualification/${record.bidId}`, panelTokens[0]!, allPass);
  for (const [expertIndex, token] of panelTokens.entries()) {
    for (const record of opening.record) {
      const organizationIndex = organizations.findIndex((o) => o.name === record.organization);
      const quality = 0.62 + noise(organizationIndex, 7) * 0.3;
      const scores = Object.fromEntries(
        CRITERIA.map((criterion, criterionIndex) => {
          const wobble = (noise(organizationIndex, expertIndex, criterionIndex) - 0.5) * 0.12;
          const base = criterion.key === 'share' ? (ratios.get(record.organization)! - 10) / 35 : quality;
          return [criterion.key, halfPoints(criterion.maxScore * (base + wobble), criterion.maxScore)];
        }),
      );
      // an expert reads each bid before scoring it
      clock.advance((10 + Math.round(noise(organizationIndex, expertIndex) * 10)) * 60 * 1000);
      await call('PUT', `/recruitments/${id}/scores/${record.bidId}`, token, { scores, comment: '' });
    }
    await call('POST', `/recruitments/${id}/scores/submit`, token);
  }
  clock.advance(3 * HOUR);
  for (const token of panelTokens) await call('POST', `/recruitments/${id}/evaluation/confirm`, token);
  await app.services.inspection.review.reviewNewEntries();
  await timed('评审报告', () => call('POST', `/recruitments/${id}/evaluation/sign-off`, inspector, { comment: '评审过程独立、规范，未发现异常。' }));
  step(`评审：从 ${experts.length} 名专家中随机抽取 5 人组成评审委员会，资格审查全部通过，评分、确认，纪检监督员签字确认`);

  // ── publicity and award ──
  clock.advance(HOUR);
  const publicity = await call<{ publicityEndsAt: string }>('POST', `/recruitments/${id}/publicity`, agent);
  clock.set(new Date(Date.parse(publicity.publicityEndsAt) + 2 * HOUR));
  // what the server's watch does within a minute of the end of publicity: the inspector is told the award waits
  await app.services.notifications.signOffs.mailAwardSignOffsDue();
  await call('POST', `/recruitments/${id}/award/sign-off`, inspector, { comment: '公示期满，无质疑，同意定标。' });
  await timed('定标后的通知书和合作协议（含邮件）', () => call('POST', `/recruitments/${id}/award`, agent));
  await app.services.inspection.review.reviewNewEntries();
  await app.services.mailer.drain();
  step('公示 5 天期满，纪检监督员签字确认，经办人定标；通知书和合作协议（草案）已签发并发送邮件');
  // the next 18:00 (Beijing), when the server mails each inspector the digest of the day's entries
  clock.set(new Date(digestDue(clock.now()).to.getTime() + DAY + 5 * 60 * 1000));
  await app.services.notifications.digests.sendDailyDigests();
  step('当天 18:00，纪检监督员收到每日监督摘要');
  const procedureRows = await app.services.documents.storedDocuments(id);
  const awardKinds = procedureRows.filter((row) => ['award_notice', 'draft_agreement', 'rejection_notice'].includes(row.kind)).length;

  // ── the partnerships' first year ──
  const outcome = await app.services.awards.awardOutcome(id);
  const rankOf = (name: string) => outcome.selected.find((entry) => entry.organization.name === name)?.rank ?? Number.MAX_SAFE_INTEGER;
  const demo: DemoCase = { app, clock, call, step, recruitmentId: id, agent, inspector, organizations };
  const partners = await concludeAgreements(demo, rankOf);
  const year = await runFirstYear(demo, partners);

  // ── report ──
  const documents = await call<{ kind: string; title: string; size: number; status: string; verifyCode: string; id: string }[]>(
    'GET',
    `/recruitments/${id}/documents`,
    agent,
  );
  const rows = await app.services.documents.storedDocuments(id);
  const count = (kind: string) => documents.filter((d) => d.kind === kind).length;
  const notice = documents.find((d) => d.kind === 'award_notice');

  console.log(`\n结果（${outcome.title}）`);
  const table = [...outcome.selected.map((e) => ({ ...e, selected: true })), ...outcome.notSelected.map((e) => ({ ...e, selected: false }))].sort(
    (a, b) => LOTS.findIndex((l) => l.key === a.lot) - LOTS.findIndex((l) => l.key === b.lot) || (a.rank ?? 99) - (b.rank ?? 99),
  );
  console.log(`${'类别'.padEnd(8, '　')}${'单位'.padEnd(18, '　')}${'得分'.padStart(6)}${'排名'.padStart(5)}  入选`);
  for (const entry of table) {
    console.log(
      `${entry.lotName.padEnd(8, '　')}${entry.organization.name.padEnd(18, '　')}${(entry.score ?? 0).toFixed(2).padStart(8)}${String(entry.rank ?? '—').padStart(6)}  ${entry.selected ? '是' : '否'}`,
    );
  }
  await printPartnershipReport(demo, partners, year, STORAGE_DIR);

  console.log('\n签名文件');
  console.log(`  入选通知书 ${count('award_notice')} 份，合作协议（草案）${count('draft_agreement')} 份，未入选通知书 ${count('rejection_notice')} 份，开标记录 ${count('opening_record')} 份，评审报告 ${count('evaluation_report')} 份`);
  console.log(`  正式合作协议 ${count('agreement')} 份，考核结果通知书 ${count('review_result')} 份，终止合作通知书 ${count('termination_notice')} 份，评价海报 ${count('satisfaction_poster')} 份`);
  console.log(`  PDF：${path.join(STORAGE_DIR, 'documents', id)}/`);
  for (const row of rows) console.log(`    ${row.storageName.split('/').pop()}  ${row.title}  验证码 ${row.verifyCode}`);
  console.log(`  邮件（.eml，含 PDF 附件）：${path.join(STORAGE_DIR, 'outbox')}/`);
  const toInspector = (await mailsIn(outboxDir)).filter((mail) => mail.to === STAFF.inspector);
  console.log(`  纪检监督员收到 ${toInspector.length} 封：`);
  for (const mail of toInspector) console.log(`    ${mail.subject}`);
  const alerts = await call<{ indicator: string; severity: string; subject: string; status: string; note: string | null }[]>(
    'GET',
    `/inspector/alerts?recruitmentId=${id}`,
    inspector,
  );
  console.log(`\n监督预警 ${alerts.length} 条（/inspector/alerts）`);
  for (const alert of alerts) {
    console.log(`  [${SEVERITY_LABELS[alert.severity as AlertSeverity]}] ${indicatorLabel(alert.indicator)}：${alert.subject}（${ALERT_STATUS_LABELS[alert.status as AlertStatus]}${alert.note ? `：${alert.note}` : ''}）`);
  }
  console.log(`  开发测试用签名证书：${path.join(STORAGE_DIR, 'secrets', 'dev-signing.p12')}（CA 证书 dev-signing-ca.pem）`);
  const serve = [`STORAGE_DIR=${STORAGE_DIR}`, process.env.PORT && `PORT=${config.port}`, process.env.PUBLIC_URL && `PUBLIC_URL=${config.publicUrl}`];
  console.log(`  核验：启动服务（${serve.filter(Boolean).join(' ')} npm start）后访问 ${config.publicUrl}/verify/<验证码>`);

  console.log('\n生成耗时（渲染 + 签名 + 存储）');
  for (const { label, seconds } of timings) console.log(`  ${label}：${seconds.toFixed(1)} 秒`);
  const total = timings.reduce((sum, { seconds }) => sum + seconds, 0);
  console.log(`  招募至定标 ${procedureRows.length} 份文件 ${total.toFixed(1)} 秒；定标后 ${awardKinds} 份平均每份 ${(timings.at(-1)!.seconds / awardKinds).toFixed(2)} 秒`);
  console.log(`  入选通知书大小：${notice ? (notice.size / 1024).toFixed(0) : '—'} KB`);

  if (hasPdfsig()) {
    // a signed agreement carries the centre's signature and the partner's
    const valid = rows.filter((row) => validSignatures(path.join(STORAGE_DIR, row.storageName)) >= (row.kind === 'agreement' ? 2 : 1)).length;
    console.log(`\npdfsig：${valid}/${rows.length} 份文件签名有效（正式合作协议各 2 个签名）`);
  }
  printSignIns(config.publicUrl, panel, organizations);
  console.log(`\n演示完成，用时 ${((performance.now() - started) / 1000).toFixed(0)} 秒。`);
}

/** Who can sign in to the demo once it is served, every role with the one password. */
function printSignIns(publicUrl: string, panel: { email: string }[], organizations: { name: string; email: string }[]) {
  console.log(`\n登录（${publicUrl}/login，密码均为 ${PASSWORD}）`);
  for (const [role, email] of STAFF_SIGN_INS) console.log(`  ${role.padEnd(8, '　')}${email}`);
  console.log(`  ${'评审专家'.padEnd(8, '　')}${panel.map((expert) => expert.email).join('，')}（本项目评审小组；expert1–expert${EXPERTS.length}@zjzg.example.cn 均可登录）`);
  console.log(`  ${'响应单位'.padEnd(8, '　')}${organizations[0]?.email} – ${organizations.at(-1)?.email}（如 ${organizations[0]?.email} 即 ${organizations[0]?.name}）`);
}

await main();
