import type { JobLock } from './state-store.js';

const POLL_MS = 50;

/** Locks held by this process only. */
export function createProcessLock(): JobLock {
  const held = new Set<string>();
  return {
    async run(name, job, { waitMs = 0 } = {}) {
      const deadline = Date.now() + waitMs;
      while (held.has(name)) {
        if (Date.now() >= deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      held.add(name);
      try {
        await job();
      } finally {
        held.delete(name);
      }
      return true;
    },
  };
}
