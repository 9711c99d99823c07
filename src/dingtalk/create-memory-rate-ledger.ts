import { reserveSlot, type RateLedger, type RobotSlots } from './rate-ledger.js';

/** The rate ledger of one process that remembers nothing across restarts: for tests and the CLI. */
export function createMemoryRateLedger(): RateLedger {
  const robots = new Map<string, RobotSlots>();
  const robotFor = (robot: string): RobotSlots => {
    let entry = robots.get(robot);
    if (!entry) robots.set(robot, (entry = { slots: {}, pausedUntil: 0 }));
    return entry;
  };
  return {
    reserve: (robot, slot) => Promise.resolve(reserveSlot(robotFor(robot), slot)),
    finish(robot, id, at) {
      const slots = robotFor(robot).slots;
      if (id in slots) slots[id] = at;
      return Promise.resolve();
    },
    pause(robot, until) {
      const entry = robotFor(robot);
      entry.pausedUntil = Math.max(entry.pausedUntil, until);
      return Promise.resolve();
    },
  };
}
