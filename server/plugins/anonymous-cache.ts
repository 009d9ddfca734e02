import fp from 'fastify-plugin';
import type { FastifyReply } from 'fastify';
import type { Clock } from '../lib/clock.ts';
import { chooseEncoding, compress, type Encoding } from '../lib/content-encoding.ts';
import { etagMatches, etagVariant } from '../lib/etag.ts';
import { createPageCache, type Cached } from '../lib/page-cache.ts';
import { compileTimeSlots, remainingSlot, TIME_SLOTS } from './views.ts';

/** a page as it is made for anonymous visitors, and until when the clock alone leaves it as it is */
export interface AnonymousPage {
  template: string;
  data: Record<string, unknown>;
  /** ms since the epoch; Infinity: never */
  validUntil: number;
}

declare module 'fastify' {
  interface FastifyReply {
    /**
     * The page anonymous visitors get at `key`, made by `make` once per `version` (the time left
     * until a deadline written with the `remaining` it is given) and kept; served with the current
     * server time, an ETag and 304 to a browser that holds it. Only for a request nobody signed in.
     */
    anonymousPage(key: string, version: string, make: (remaining: (deadline: Date) => string) => Promise<AnonymousPage>): Promise<FastifyReply>;
    /** the same for a body that tells no time: a record (as the route's schema writes it), a feed */
    anonymousBody(key: string, version: string, type: string, make: () => Promise<{ body: string; validUntil: number }>): Promise<FastifyReply>;
  }
}

// Anonymous visitors are the crowd on deadline day, and they are all shown the same: what is made
// for one is kept for the next (issue 16), per instance, under the version of the data it was made
// from. The version is read from the database on each request, so a change made through any
// instance is seen on the next request to every one; a page changed by the clock alone (a deadline
// passing) is made again from that instant on. Signed-in users never get these.

// a page is some 40 KB, kept twice (text and bytes) with its compressed copies: at most some 20 MB
const CACHE_ENTRIES = 200;

/** what is sent for a kept entry within one second: its bytes, and those compressed as asked */
class Representations {
  private readonly encoded = new Map<Encoding, Buffer>();
  constructor(
    readonly second: number,
    readonly body: Buffer,
  ) {}

  /** the bytes to send for this Accept-Encoding, compressed once per encoding, and the encoding */
  for(accepted: string | undefined): { bytes: Buffer; encoding: Encoding | undefined } {
    const encoding = chooseEncoding(accepted);
    if (!encoding) return { bytes: this.body, encoding };
    let bytes = this.encoded.get(encoding);
    if (!bytes) {
      bytes = compress(this.body, encoding, 'fast');
      this.encoded.set(encoding, bytes);
    }
    return { bytes, encoding };
  }
}

function sendCached(reply: FastifyReply, etag: string, vary: string, representations: Representations) {
  const { bytes, encoding } = representations.for(reply.request.headers['accept-encoding']);
  // a compressed copy is another representation: its own ETag
  const tag = encoding ? etagVariant(etag, `-${encoding}`) : etag;
  reply.header('cache-control', 'no-cache').header('vary', `accept-encoding, ${vary}`).header('etag', tag);
  if (etagMatches(reply.request.headers['if-none-match'], tag)) return reply.code(304).send();
  if (encoding) reply.header('content-encoding', encoding);
  return reply.send(bytes);
}

export default fp(
  async (app, { clock }: { clock: Clock }) => {
    const cache = createPageCache(CACHE_ENTRIES);
    // each kept entry as last sent: a page shows the time to the second, so the crowd of one
    // second is sent one copy, filled in and compressed once; a record or feed has one copy
    const sent = new WeakMap<Cached, Representations>();
    /** the copy of `entry` sent within `second`, made by `body` for the first to ask */
    const copyOf = (entry: Cached, second: number, body: () => Buffer) => {
      let held = sent.get(entry);
      if (held?.second !== second) {
        held = new Representations(second, body());
        sent.set(entry, held);
      }
      return held;
    };
    // each kept page split at its time slots once
    const slots = new WeakMap<Cached, (now: Date) => Buffer>();
    const filled = (entry: Cached, now: Date) => {
      let fill = slots.get(entry);
      if (!fill) {
        fill = compileTimeSlots(entry.body);
        slots.set(entry, fill);
      }
      return fill(now);
    };

    app.decorateReply('anonymousPage', async function anonymousPage(this: FastifyReply, key, version, make) {
      const path = this.request.url.split('?')[0];
      const entry = await cache.get(`page ${key}`, version, clock.now().getTime(), async () => {
        const page = await make(remainingSlot);
        const body = await app.view(`${page.template}.hbs`, { ...page.data, ...TIME_SLOTS, currentUser: null, csrfToken: '', path });
        return { body, validUntil: page.validUntil };
      });
      const now = clock.now();
      const second = Math.floor(now.getTime() / 1000);
      // The page shows the server time to the second: the copy a browser holds is this page only
      // within the same second, after which its clock would start from a stale time.
      const etag = etagVariant(entry.etag, `.${second}`);
      this.type('text/html; charset=utf-8');
      return sendCached(this, etag, 'cookie', copyOf(entry, second, () => filled(entry, now)));
    });

    app.decorateReply('anonymousBody', async function anonymousBody(this: FastifyReply, key, version, type, make) {
      const entry = await cache.get(`${type} ${key}`, version, clock.now().getTime(), make);
      this.type(type);
      return sendCached(this, entry.etag, 'authorization, cookie', copyOf(entry, 0, () => Buffer.from(entry.body)));
    });
  },
  { name: 'anonymous-cache', dependencies: ['views'] },
);

/** the first of `instants` after `now`, when a page showing them changes with no event (Infinity: none) */
export function nextChange(now: Date, instants: readonly (Date | null | undefined)[]): number {
  const later = instants.map((instant) => instant?.getTime() ?? -Infinity).filter((time) => time > now.getTime());
  return later.length > 0 ? Math.min(...later) : Infinity;
}
