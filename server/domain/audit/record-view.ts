import type { RecordEntry, RecordFilter } from './record.ts';

// What the record page and its live stream share: where a record lives, the links that keep its
// filter, and an entry as the card (views/partials/audit-entry.hbs) shows it.

/** The record of one recruitment, or (null) the whole log. */
export const recordPath = (recruitmentId: string | null): string =>
  recruitmentId ? `/inspector/recruitments/${recruitmentId}/audit` : '/inspector/audit';

/** The page's filter as it was asked for (blank fields left out), to carry into its links. */
export function filterParams(query: { action?: string; actorId?: string; from?: string; to?: string }): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['action', 'actorId', 'from', 'to'] as const) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  return params;
}

export function withParams(path: string, params: URLSearchParams, extra: Record<string, number> = {}): string {
  const all = new URLSearchParams(params);
  for (const [key, value] of Object.entries(extra)) all.set(key, String(value));
  const query = all.toString();
  return query ? `${path}?${query}` : path;
}

/**
 * An entry's card: on the whole log it names its recruitment; on a recruitment's record it need
 * not, nor name the recruitment as what an entry acted on.
 */
export function entryCard(entry: RecordEntry, scope: Pick<RecordFilter, 'recruitmentId'>, highlighted = false) {
  const own = scope.recruitmentId !== undefined;
  return {
    ...entry,
    recruitment: own ? null : entry.recruitment,
    target: own && entry.targetRef === `recruitment:${scope.recruitmentId}` ? null : entry.target,
    shortHash: entry.hash.slice(0, 12),
    permalink: `${recordPath(scope.recruitmentId ?? null)}?seq=${entry.seq}`,
    highlighted,
  };
}
