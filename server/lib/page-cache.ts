import { etagOf } from './etag.ts';

// What anonymous visitors are given, kept per key (a page, a record) under the version it was made
// from (public-versions.ts) and from when it was made until the first instant that changes it with
// no event (a deadline passing). Whoever asks for a version not held gets it made afresh; asked together, it is made once.

export interface Made {
  body: string;
  /** when the clock alone changes it (ms since the epoch; Infinity: never) */
  validUntil: number;
}

export interface Cached extends Made {
  version: string;
  /** when it was made: a clock set back (the test clock) before it does not get it */
  validFrom: number;
  etag: string;
}

export interface PageCache {
  get(key: string, version: string, now: number, make: () => Promise<Made>): Promise<Cached>;
}

/** Keeps the `maxEntries` last used entries. */
export function createPageCache(maxEntries: number): PageCache {
  const entries = new Map<string, Cached>();
  const making = new Map<string, Promise<Cached>>();

  function keep(key: string, entry: Cached) {
    entries.delete(key);
    entries.set(key, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  }

  return {
    async get(key, version, now, make) {
      const held = entries.get(key);
      if (held && held.version === version && held.validFrom <= now && now < held.validUntil) {
        keep(key, held);
        return held;
      }
      const slot = `${key}\n${version}`;
      let pending = making.get(slot);
      if (!pending) {
        pending = make()
          .then((made) => {
            const entry = { ...made, version, validFrom: now, etag: etagOf(`${version}\n${made.body}`) };
            keep(key, entry);
            return entry;
          })
          .finally(() => making.delete(slot));
        making.set(slot, pending);
      }
      return pending;
    },
  };
}
