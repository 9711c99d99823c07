/**
 * Runs `run` one value at a time, and only on the latest value: values submitted while a run is
 * in progress replace one another, and the last of them runs next. A burst of knowledge edits
 * (a `git pull` touching fifty files) so costs two index builds, not fifty queued ones.
 */
export interface LatestRunner<T, R> {
  /** Settles with the outcome of the run that took this value, or of the later run that replaced it. */
  submit(value: T): Promise<R>;
  /** A run is in progress. */
  running(): boolean;
  /** A value waits for the run in progress to finish. */
  queued(): boolean;
}

interface Waiter<R> {
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export function coalesceLatest<T, R>(run: (value: T) => Promise<R>): LatestRunner<T, R> {
  let inProgress = false;
  let next: { value: T; waiters: Waiter<R>[] } | undefined;

  const drain = async () => {
    inProgress = true;
    while (next) {
      const { value, waiters } = next;
      next = undefined;
      try {
        const result = await run(value);
        for (const waiter of waiters) waiter.resolve(result);
      } catch (err) {
        for (const waiter of waiters) waiter.reject(err);
      }
    }
    inProgress = false;
  };

  return {
    submit(value) {
      return new Promise<R>((resolve, reject) => {
        if (next) {
          next.value = value;
          next.waiters.push({ resolve, reject });
        } else {
          next = { value, waiters: [{ resolve, reject }] };
        }
        if (!inProgress) void drain();
      });
    },
    running: () => inProgress,
    queued: () => next !== undefined,
  };
}
