import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Role } from '../../db/schema.ts';
import type { Clock } from '../../lib/clock.ts';
import { formatRemaining, ROLE_LABELS } from '../../lib/labels.ts';
import type { RecruitmentService } from '../recruitments/service.ts';

// What each role does in the portal (SPEC §2), with the pages that are open to it.
const ROLE_GUIDE: { role: Role; does: string[]; links: { href: string; label: string }[] }[] = [
  {
    role: 'agent',
    does: ['起草并发布招募公告，记录集体决策', '答复疑问，发布更正/澄清公告', '组织开标、评审、公示与确定入选'],
    links: [{ href: '/agent', label: '我的招募' }],
  },
  {
    role: 'bidder',
    does: ['注册并查看招募公告', '在截止时间前提交、撤回响应文件', '在线参加开标，提出异议和质疑，接收通知书'],
    links: [
      { href: '/recruitments', label: '招募公告' },
      { href: '/register', label: '社会组织注册' },
      { href: '/bidder', label: '本单位的响应文件与回执' },
    ],
  },
  {
    role: 'expert',
    does: ['声明回避', '资格审查', '在线评分并确认评审报告'],
    links: [],
  },
  {
    role: 'inspector',
    does: ['实时查看全过程（只读）', '持有开标密钥，参加并签字确认开标、评审与结果', '必要时暂停招募项目', '核验操作日志哈希链'],
    links: [
      { href: '/inspector', label: '监督工作台' },
      { href: '/inspector/audit', label: '操作日志' },
    ],
  },
  {
    role: 'admin',
    does: ['创建账号，停用或启用账号，发送重设密码邮件', '管理评审专家库', '指定密钥托管人，也可作为密钥托管人参与开标'],
    links: [
      { href: '/admin', label: '用户管理' },
      { href: '/admin/experts', label: '专家库' },
    ],
  },
];

const homePages: FastifyPluginAsyncTypebox<{ recruitments: RecruitmentService; clock: Clock }> = async (app, { recruitments, clock }) => {
  app.get(
    '/',
    { schema: { hide: true, querystring: Type.Object({ registered: Type.Optional(Type.String({ maxLength: 10 })) }) } },
    async (request, reply) => {
      const now = clock.now().getTime();
      // the recruitments taking bids now, the nearest deadline first
      const open = (await recruitments.listRecruitments({ status: 'published' }, null))
        .filter((recruitment) => recruitment.submissionDeadline.getTime() > now)
        .sort((a, b) => a.submissionDeadline.getTime() - b.submissionDeadline.getTime())
        .map((recruitment) => ({ ...recruitment, remaining: formatRemaining(recruitment.submissionDeadline.getTime() - now) }));
      return reply.page('home', {
        title: '首页',
        registered: request.query.registered === '1',
        open,
        guide: ROLE_GUIDE.map((entry) => ({
          ...entry,
          label: ROLE_LABELS[entry.role],
          mine: request.user?.role === entry.role,
        })),
      });
    },
  );
};

export default homePages;
