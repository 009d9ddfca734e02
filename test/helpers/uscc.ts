import { usccCheckCharacter } from '../../server/domain/accounts/uscc.ts';

let next = 1000;

/** A fresh, valid unified social credit code (a social organisation registered in Hangzhou). */
export function freshUscc(): string {
  const body = `52330100${String(next++).padStart(8, '0')}X`;
  return `${body}${usccCheckCharacter(body)}`;
}

export function organizationInput(overrides: Record<string, string> = {}) {
  const uscc = overrides.uscc ?? freshUscc();
  return {
    name: `杭州市公益文化服务中心${uscc.slice(-4)}`,
    uscc,
    type: '社会组织',
    legalRepresentative: '张三',
    contactName: '李四',
    phone: '0571-88888888',
    email: `org-${uscc.toLowerCase()}@example.org`,
    password: 'org-password-123',
    address: '浙江省杭州市西湖区文三路 1 号',
    ...overrides,
  };
}
