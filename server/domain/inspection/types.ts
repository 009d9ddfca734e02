// The shape of the inspector's red flags (SPEC §7): what was seen, how serious, and the evidence
// that lets the inspector check it without taking the portal's word for it.

export const ALERT_SEVERITIES = ['high', 'medium', 'low'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_STATUSES = ['open', 'dismissed', 'escalated'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** One piece of evidence: what kind of record, which one, what it shows, where to see it. */
export interface AlertEvidence {
  kind: string;
  id: string;
  detail: string;
  url?: string;
}
