// drizzle wraps driver errors; pg and PGlite both carry the SQLSTATE in `code`.
interface DriverError {
  code?: string;
  constraint?: string;
  cause?: unknown;
}

function driverError(error: unknown): DriverError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Object; depth++) {
    const candidate = current as DriverError;
    if (typeof candidate.code === 'string') return candidate;
    current = candidate.cause;
  }
  return null;
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const found = driverError(error);
  return found?.code === '23505' && found.constraint === constraint;
}

/** Whether the database could not write because its disk is full (SQLSTATE 53100, disk_full). */
export function isDatabaseDiskFull(error: unknown): boolean {
  return driverError(error)?.code === '53100';
}
