import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AccountService } from '../accounts/service.ts';
import type { RecruitmentService } from '../recruitments/service.ts';
import type { EvaluationService } from './service.ts';

const evaluationPages: FastifyPluginAsyncTypebox<{ evaluation: EvaluationService; recruitments: RecruitmentService; accounts: AccountService }> = async () => {};

export default evaluationPages;
