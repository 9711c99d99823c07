import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { reserveSlot, type RateLedger, type RobotSlots } from '../dingtalk/rate-ledger.js';

/**
 * The embedded rate ledger: one small JSON file in DATA_DIR, rewritten atomically and synchronously
 * on every change, so a kill -9 right after a request left cannot forget its slot. It serves the
 * processes of one instance one after another (restarts), not instances side by side.
 */
export function createFileRateLedger(dataDir: string): RateLedger {
  const file = join(dataDir, 'rate-ledger.json');
  let robots: Record<string, RobotSlots> = {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object') robots = parsed as Record<string, RobotSlots>;
  } catch {
    // Missing or unreadable: start empty. At worst DingTalk throttles a robot once.
    robots = {};
  }
  const save = () => {
    mkdirSync(dataDir, { recursive: true });
    writeFileAtomic.sync(file, JSON.stringify(robots), { fsync: true });
  };
  const robotFor = (robot: string): RobotSlots => {
    const entry = robots[robot];
    if (entry && typeof entry.slots === 'object' && typeof entry.pausedUntil === 'number') return entry;
    return (robots[robot] = { slots: {}, pausedUntil: 0 });
  };
  return {
    reserve(robot, slot) {
      const waitMs = reserveSlot(robotFor(robot), slot);
      if (waitMs === 0) save();
      return Promise.resolve(waitMs);
    },
    finish(robot, id, at) {
      const { slots } = robotFor(robot);
      if (id in slots) {
        slots[id] = at;
        save();
      }
      return Promise.resolve();
    },
    pause(robot, until) {
      const entry = robotFor(robot);
      entry.pausedUntil = Math.max(entry.pausedUntil, until);
      save();
      return Promise.resolve();
    },
  };
}
