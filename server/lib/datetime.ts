// Pages take and show times as the value of `<input type="datetime-local">`, which carries no
// zone. The portal reads such a value as Beijing time (UTC+8 all year, no daylight saving),
// whatever the zone of the server or of the visitor's device.

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/** `YYYY-MM-DDTHH:mm`, with `:ss` when the input's step allows seconds. */
export const DATETIME_LOCAL = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?$/;

/** The Beijing wall-clock time of an instant, `YYYY-MM-DDTHH:mm:ss`. */
function beijingWallClock(instant: Date): string {
  return new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19);
}

/**
 * The instant a datetime-local value names in Beijing time, as ISO 8601 with `+08:00`
 * (e.g. `2026-12-20T17:00` → `2026-12-20T17:00:00+08:00`); null when no such time exists.
 */
export function beijingLocalToIso(value: string): string | null {
  const match = DATETIME_LOCAL.exec(value);
  if (!match) return null;
  const wallClock = `${match[1]}${match[2] ?? ':00'}`;
  const instant = new Date(`${wallClock}+08:00`);
  // Date rolls 30 February over into March and 24:00 into the next day: a value that does not
  // come back unchanged names no time of its own.
  if (Number.isNaN(instant.getTime()) || beijingWallClock(instant) !== wallClock) return null;
  return `${wallClock}+08:00`;
}

/** The datetime-local value of an instant in Beijing time; seconds only when it has some. */
export function toBeijingLocal(instant: Date): string {
  const wallClock = beijingWallClock(instant);
  return wallClock.endsWith(':00') ? wallClock.slice(0, 16) : wallClock;
}

/** The Beijing calendar date of an instant, `YYYY-MM-DD`. */
export function beijingDate(instant: Date): string {
  return beijingWallClock(instant).slice(0, 10);
}

/** The instant a Beijing calendar date (`YYYY-MM-DD`) begins. */
export function beijingDayStart(date: string): Date {
  return new Date(`${date}T00:00:00+08:00`);
}
