import { randomBytes } from 'node:crypto';
import { DAY_MS } from '../../server/domain/recruitments/rules.ts';
import { api, bidFields, openingPassphrase, postBid, registerOrganization, setTestClock, type KeyHolders, type Receipt, type Upload } from './server-process.ts';

// The fault tests' bursts of bids against real server processes, and their one measure of loss:
// every receipt a client got must be a bid that opens, with the receipt's digest, at the opening.

/** what one submission got */
export type Outcome =
  | { kind: 'receipt'; receipt: Receipt }
  | { kind: 'refused'; status: number; code: string; retryAfter: string | undefined }
  | { kind: 'cut off'; error: string };

export interface BurstBid {
  token: string;
  lot: string;
}

/** Runs `task` over `items`, `limit` at a time, keeping their order in the answer. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** `count` verified organisations; a few at a time, as each registration and sign-in hashes a password */
export const registerOrganizations = (url: string, storageDir: string, count: number) =>
  mapLimit(Array.from({ length: count }), 4, () => registerOrganization(url, storageDir));

/** one bid per organisation and lot: none supersedes another, so every receipt must open */
export const everyPair = (bidders: { token: string }[], lots: string[]): BurstBid[] =>
  lots.flatMap((lot) => bidders.map(({ token }) => ({ token, lot })));

/** What came of an upload (postBid's response); never throws. */
export async function outcomeOf(response: Upload['response']): Promise<Outcome> {
  try {
    const reply = await response;
    if (reply.status === 201) return { kind: 'receipt', receipt: JSON.parse(reply.body) as Receipt };
    const code = (JSON.parse(reply.body) as { code?: string }).code ?? '';
    const retryAfter = reply.headers['retry-after'];
    return { kind: 'refused', status: reply.status, code, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter };
  } catch (error) {
    return { kind: 'cut off', error: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

/** Submits one bid of one small PDF (16–48 KiB) and says what came of it. */
export function submitBid(url: string, recruitmentId: string, { token, lot }: BurstBid): Promise<Outcome> {
  const size = 16 * 1024 + Math.floor(Math.random() * 32 * 1024);
  const content = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
  return outcomeOf(postBid(url, token, recruitmentId, bidFields(lot), [{ filename: `${lot}.pdf`, size, content: [content] }]).response);
}

/**
 * Submits `bids`, `concurrency` at a time, bid i once `ready(i)` resolves (to pace the burst) to
 * the server `target(i)` then names; `onOutcome` sees each outcome as it comes (to kill or
 * restart something mid-burst).
 */
export function runBurst(options: {
  bids: BurstBid[];
  recruitmentId: string;
  concurrency: number;
  target: (index: number) => string;
  ready?: (index: number) => Promise<unknown> | undefined;
  onOutcome?: (outcome: Outcome, all: Outcome[]) => void;
}): Promise<Outcome[]> {
  const settled: Outcome[] = [];
  return mapLimit(options.bids, options.concurrency, async (bid, index) => {
    await options.ready?.(index);
    const outcome = await submitBid(options.target(index), options.recruitmentId, bid);
    settled.push(outcome);
    options.onOutcome?.(outcome, settled);
    return outcome;
  });
}

export const receiptsOf = (outcomes: Outcome[]) => outcomes.flatMap((outcome) => (outcome.kind === 'receipt' ? [outcome.receipt] : []));

/** how many outcomes of each kind: `201`, `503 DATABASE_UNAVAILABLE`, `cut off ECONNRESET` … */
export function outcomeCounts(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = outcome.kind === 'receipt' ? '201' : outcome.kind === 'refused' ? `${outcome.status} ${outcome.code}` : `cut off ${outcome.error}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export interface OpeningLine {
  bidId: string;
  digest: string;
  digestVerified: boolean;
}

/**
 * The opening, driven as the agent and the inspector would, on servers started with
 * PORTAL_TEST_CLOCK=1: their clocks moved past the deadline, the opening started, the inspector
 * attending, the agent unlocking on `url` and the inspector on `inspectorUrl` (another instance,
 * or the same). Answers the opening record.
 */
export async function openBids(url: string, holders: KeyHolders, recruitmentId: string, inspectorUrl = url): Promise<OpeningLine[]> {
  const opening = `/api/v1/recruitments/${recruitmentId}/opening`;
  for (const instance of new Set([url, inspectorUrl])) await setTestClock(instance, { advanceMs: 31 * DAY_MS });
  await api(url, `${opening}/start`, { token: holders.agentToken, body: {} });
  await api(inspectorUrl, `${opening}/attend`, { token: holders.inspectorToken, body: {} });
  const { bidKeyFingerprint } = await api<{ bidKeyFingerprint: string }>(url, opening, { token: holders.agentToken });
  await api(url, `${opening}/unlock`, { token: holders.agentToken, body: { passphrase: openingPassphrase('agent'), bidKeyFingerprint } });
  await api(inspectorUrl, `${opening}/unlock`, { token: holders.inspectorToken, body: { passphrase: openingPassphrase('inspector'), bidKeyFingerprint } });
  const { phase, record } = await api<{ phase: string; record: OpeningLine[] }>(url, opening, { token: holders.agentToken });
  if (phase !== 'opened') throw new Error(`the opening did not open the bids: ${phase}`);
  return record;
}

/**
 * Receipts issued against bids that open with the receipt's digest; printed as the issue's
 * closing note asks. Bids that opened without a receipt (the client saw only a cut connection)
 * are counted apart: complete and harmless, but no receipt was lost with them.
 */
export function tally(label: string, outcomes: Outcome[], record: OpeningLine[]) {
  const receipts = receiptsOf(outcomes);
  const opened = new Map(record.filter((line) => line.digestVerified).map((line) => [line.bidId, line.digest]));
  const open = receipts.filter((receipt) => opened.get(receipt.bidId) === receipt.digest).length;
  const receipted = new Set(receipts.map((receipt) => receipt.bidId));
  const result = {
    receipts: receipts.length,
    open,
    lost: receipts.length - open,
    openedWithoutReceipt: record.filter((line) => !receipted.has(line.bidId)).length,
    notVerified: record.filter((line) => !line.digestVerified).length,
  };
  console.log(
    `[faults] ${label}: receipts issued ${result.receipts} / bids that open ${result.open} / lost ${result.lost}` +
      ` (bids opened without a receipt: ${result.openedWithoutReceipt}; answers: ${JSON.stringify(outcomeCounts(outcomes))})`,
  );
  return result;
}
