import { createHmac } from 'node:crypto';

// The panel draw (抽取评审专家, SPEC §3 and §5), as a procedure anyone can repeat by hand or in
// another language from what the audit log's `panel.draw` entry holds — the seed and the ordered
// candidate list:
//
// 1. Candidates: active experts who have at least one of the requested specialties (all active
//    experts when none are requested), minus every expert whose affiliation USCC is the USCC of an
//    organisation that bid in the recruitment; ordered by user id, compared as plain strings.
// 2. Random numbers: the k-th number (k = 0, 1, 2, …) is HMAC-SHA256 with the seed's 32 bytes
//    (hex-decoded) as key and the decimal digits of k as message; its first 6 bytes, read as a
//    big-endian unsigned integer u, are used.
// 3. A number below n: u mod n, accepted only when u < n × floor(2^48 / n) (otherwise the next k
//    is taken), so that every choice is equally likely.
// 4. The sequence: while candidates remain, take the remaining candidate at index (number below
//    the count remaining) out of the list and append it. The result orders every candidate.
// 5. The panel is the first `size` of the sequence, seat (order) 1 being the chair. An expert
//    who declares a conflict (回避), or whom the agent replaces because it cannot serve or at a
//    redo, keeps no seat: the first candidate of the sequence not yet drawn takes that seat.
// 6. Once every candidate has been drawn, a seat given up stays vacant until the agent makes a
//    supplementary draw (补充抽取): with a new seed, over the experts who are candidates now by
//    step 1 and were never drawn for the panel, by steps 2–4. Its sequence continues the panel's:
//    the vacant seats, in seat order, then later recusals take its candidates in turn. The audit
//    log's `panel.supplementary_draw` entry holds its seed and ordered candidates.
//
// Nothing here is random: the service makes the seed with crypto.randomBytes.

export const MIN_PANEL_SIZE = 5;
const SPAN = 2 ** 48;

export interface PoolExpert {
  id: string;
  specialties: readonly string[];
  affiliationUscc: string | null;
  active: boolean;
}

/** Step 1: the candidates, in the stable order the sequence is drawn from. */
export function eligibleCandidates(
  experts: readonly PoolExpert[],
  { specialties, bidderUscc }: { specialties: readonly string[]; bidderUscc: readonly string[] },
): string[] {
  const excluded = new Set(bidderUscc);
  return experts
    .filter((expert) => expert.active)
    .filter((expert) => specialties.length === 0 || expert.specialties.some((s) => specialties.includes(s)))
    .filter((expert) => expert.affiliationUscc === null || !excluded.has(expert.affiliationUscc))
    .map((expert) => expert.id)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** An odd number, at least five (SPEC §3). */
export function isValidPanelSize(size: number): boolean {
  return Number.isInteger(size) && size >= MIN_PANEL_SIZE && size % 2 === 1;
}

/** Steps 2–4: every candidate, in the order the seed draws them. */
export function drawSequence(seedHex: string, candidates: readonly string[]): string[] {
  if (!/^[0-9a-f]{64}$/.test(seedHex)) throw new Error('the seed is 32 bytes in lower-case hex');
  const key = Buffer.from(seedHex, 'hex');
  let counter = 0;
  const below = (n: number): number => {
    const limit = n * Math.floor(SPAN / n);
    for (;;) {
      const digest = createHmac('sha256', key).update(String(counter++)).digest();
      const u = digest.readUIntBE(0, 6);
      if (u < limit) return u % n;
    }
  };
  const remaining = [...candidates];
  const sequence: string[] = [];
  while (remaining.length > 0) {
    const [taken] = remaining.splice(below(remaining.length), 1);
    sequence.push(taken as string);
  }
  return sequence;
}

export interface Seat {
  userId: string;
  /** 1 = chair */
  order: number;
  /** 1-based position in the draw sequence */
  position: number;
}

/** Step 5: the panel of `size` seats. */
export function drawPanel(seedHex: string, candidates: readonly string[], size: number): Seat[] {
  if (!isValidPanelSize(size)) throw new Error(`invalid panel size ${size}`);
  if (candidates.length < size) throw new Error('fewer candidates than seats');
  return drawSequence(seedHex, candidates)
    .slice(0, size)
    .map((userId, index) => ({ userId, order: index + 1, position: index + 1 }));
}

/** What a draw is recomputed from: the panel draw's, or a supplementary draw's (step 6). */
export interface DrawnCandidates {
  seed: string;
  candidates: readonly string[];
}

/** The panel's whole sequence: the panel draw's, then each supplementary draw's in turn. */
export function panelSequence(draws: readonly DrawnCandidates[]): string[] {
  return draws.flatMap((draw) => drawSequence(draw.seed, draw.candidates));
}

/** Which draw put sequence position `position` (1-based) there: 0 the panel draw, k the k-th supplementary draw. */
export function drawOfPosition(draws: readonly DrawnCandidates[], position: number): number {
  let end = 0;
  for (const [index, draw] of draws.entries()) {
    end += draw.candidates.length;
    if (position <= end) return index;
  }
  throw new Error(`position ${position} is beyond the panel's sequence`);
}

/**
 * The replacement for a recused expert or a vacant seat: the first expert of the panel's
 * sequence after every position drawn so far, taking seat `order`; null when it is exhausted.
 */
export function replacementFor(sequence: readonly string[], drawnPositions: number, order: number): Seat | null {
  const userId = sequence[drawnPositions];
  return userId === undefined ? null : { userId, order, position: drawnPositions + 1 };
}

/** Step 6: the candidates of a supplementary draw, in the stable order of step 1. */
export function supplementaryCandidates(eligible: readonly string[], everDrawn: readonly string[]): string[] {
  const drawn = new Set(everDrawn);
  return eligible.filter((id) => !drawn.has(id));
}

/** A panel member's row as far as the panel's composition goes (schema: panel_members). */
export interface MemberRecord {
  userId: string;
  seat: number;
  position: number;
  status: string;
  fromRound: number;
  untilRound: number | null;
  replacedReason: string | null;
  declarationNote: string | null;
}

export type PanelChange =
  | { kind: 'recused'; userId: string; seat: number; note: string }
  | { kind: 'replaced'; userId: string; seat: number; reason: string }
  | { kind: 'seated'; userId: string; seat: number; drawNumber: number };

/**
 * How the panel's composition changed during `round`, in the order of the draw sequence: who
 * declared a conflict, who was replaced and why, and who took a seat beyond the first `size` of
 * the panel draw (with the draw that seated it). A member replaced stops sitting in the round
 * after the last it sat in (untilRound + 1), or in its first round when it sat in none.
 */
export function panelChangesIn(round: number, members: readonly MemberRecord[], draws: readonly DrawnCandidates[], size: number): PanelChange[] {
  return [...members]
    .sort((a, b) => a.position - b.position)
    .flatMap((member): PanelChange[] => {
      const { userId, seat } = member;
      const changes: PanelChange[] = [];
      if (member.position > size && member.fromRound === round) {
        changes.push({ kind: 'seated', userId, seat, drawNumber: drawOfPosition(draws, member.position) });
      }
      if (member.status === 'recused' && member.replacedReason !== null) {
        if ((member.untilRound ?? member.fromRound - 1) + 1 === round) changes.push({ kind: 'replaced', userId, seat, reason: member.replacedReason });
      } else if (member.status === 'recused' && member.fromRound === round) {
        changes.push({ kind: 'recused', userId, seat, note: member.declarationNote ?? '' });
      }
      return changes;
    });
}

/** The seats of a panel of `size` that no member holds (a recused member holds none), ascending. */
export function vacantSeats(size: number, members: readonly { seat: number; status: string }[]): number[] {
  return Array.from({ length: size }, (_, i) => i + 1).filter(
    (seat) => !members.some((member) => member.seat === seat && member.status !== 'recused'),
  );
}
