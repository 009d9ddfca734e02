import type { IndicatorDefinition } from './types.ts';

// Indicators an area raises itself at the moment it refuses or records something (raiseAlert):
// listed here so that the pages name and explain them with the computed ones.

export const RAISED_INDICATORS: IndicatorDefinition[] = [
  {
    id: 'escrow_opening',
    label: '密钥托管人参与开标',
    meaning: '开标时使用了密钥托管人的密钥份额而非纪检监督员本人的：须有记录在案的理由，全体纪检监督员均收到此预警。',
    severity: 'high',
  },
  {
    id: 'bid_key_mismatch',
    label: '投标加密公钥与公告不符',
    meaning: '服务器保存的投标加密公钥与公告中公布的指纹不一致：可能有人替换了公钥以便提前解密，投标已被拒绝。',
    severity: 'high',
  },
  {
    id: 'storage_full',
    label: '存储空间已满，响应文件无法保存',
    meaning: '服务器磁盘已满，响应文件被拒收（507）：管理员须立即扩容，否则投标人无法在截止前提交。',
    severity: 'high',
  },
  {
    id: 'entered_share_rejected',
    label: '开标口令记录无法解开（被改动或密钥配置不一致）',
    meaning: '数据库中暂存的已输入开标口令无法用服务器密钥解开：可能被数据库操作人员改动，或多台服务器的密钥配置不一致。',
    severity: 'high',
  },
];
