// A lane: at most `concurrency` tasks run at once and the others wait in line, in the order they
// came. Work that must not crowd out the rest of the server (password hashing, credential checks)
// goes through one of its own.

export type Lane = <T>(work: () => Promise<T>) => Promise<T>;

export function createLane(concurrency: number): Lane {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      // the slot passes straight to the next in line, so `running` never drops and rises between them
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
