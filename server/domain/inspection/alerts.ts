import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { alerts } from '../../db/schema.ts';
import { appendAuditEntries } from '../audit/service.ts';
import type { AlertEvidence, AlertSeverity } from './types.ts';

// Raising a red flag for the inspectors (SPEC §7). Any area that sees one calls `raiseAlert`,
// inside its own transaction when the alert belongs with a change (or a refusal) it records: the
// alert and its audit entry commit or roll back with it. Mail goes out after commit
// (InspectionService.mailAlert).

export interface AlertInput {
  indicator: string;
  severity: AlertSeverity;
  recruitmentId: string | null;
  subject: string;
  evidence: AlertEvidence[];
  /** a computed indicator's finding (indicators/types.ts): raised once per recruitment */
  findingKey?: string;
}

/**
 * Indicators every inspector sees, not only the recruitment's named one: what concerns the
 * inspectors as a body, such as the escrow holder standing in for the named inspector.
 */
export const EVERY_INSPECTOR_INDICATORS: readonly string[] = ['escrow_opening', 'bid_key_mismatch'];

/** Indicators the administrators are mailed too: what they must act on (the machine). */
export const ADMINISTRATOR_INDICATORS: readonly string[] = ['storage_full', 'entered_share_rejected'];

/** Whether every inspector, rather than the recruitment's named inspector only, is concerned. */
export function concernsEveryInspector(alert: { indicator: string; recruitmentId: string | null }): boolean {
  return alert.recruitmentId === null || EVERY_INSPECTOR_INDICATORS.includes(alert.indicator);
}

// two-key advisory locks of their own: one condition's raisers take turns (rate-limit.ts has its class)
const ALERT_LOCK_CLASS = 0x616c7274;

/**
 * Raises the alert unless one of the same indicator about the same recruitment is still open:
 * a condition that refuses request after request is one alert (every refusal is audited).
 * Raisers of one condition take turns, so requests refused at once raise it once too.
 * Answers the new alert, or null.
 */
export async function raiseAlertOnce(db: Db | Tx, input: AlertInput, at: Date): Promise<{ id: string } | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ALERT_LOCK_CLASS}, hashtext(${`${input.indicator}:${input.recruitmentId ?? ''}`}))`);
    const [open] = await tx
      .select({ id: alerts.id })
      .from(alerts)
      .where(
        and(
          eq(alerts.indicator, input.indicator),
          input.recruitmentId ? eq(alerts.recruitmentId, input.recruitmentId) : isNull(alerts.recruitmentId),
          eq(alerts.status, 'open'),
        ),
      );
    return open ? null : raiseAlert(tx, input, at);
  });
}

/** Records the alert and its `alert.raised` audit entry together, at `at`. */
export async function raiseAlert(db: Db | Tx, input: AlertInput, at: Date): Promise<{ id: string }> {
  const raised = await raiseFinding(db, input, at);
  if (!raised) throw new Error('an alert without a finding key is never a duplicate');
  return raised;
}

/**
 * Records the alert and its audit entry unless the same finding (indicator, recruitment, finding
 * key) was raised before, whatever became of it: answers the new alert, or null.
 */
export async function raiseFinding(db: Db | Tx, input: AlertInput, at: Date): Promise<{ id: string } | null> {
  // inside a caller's transaction this is a savepoint: the alert commits with the caller's work
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(alerts)
      .values({ ...input, raisedAt: at })
      .onConflictDoNothing()
      .returning({ id: alerts.id });
    if (!row) return null;
    await appendAuditEntries(
      tx,
      [
        {
          actor: null,
          action: 'alert.raised',
          target: `alert:${row.id}`,
          ...(input.recruitmentId ? { recruitmentId: input.recruitmentId } : {}),
          details: { indicator: input.indicator, severity: input.severity, subject: input.subject },
        },
      ],
      at,
    );
    return row;
  });
}
