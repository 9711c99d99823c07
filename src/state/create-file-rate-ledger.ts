import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { RateLedger } from '../dingtalk/rate-ledger.js';

interface LedgerFile {
  [robot: string]: { sends: number[]; pausedUntil: number };
}

/**
 * The embedded rate ledger: one small JSON file in DATA_DIR, rewritten atomically and synchronously
 * before each send, so a kill -9 right after a request left cannot forget it.
 */
export function createFileRateLedger(dataDir: string, windowMs: number, now: () => number = Date.now): RateLedger {
  const file = join(dataDir, 'rate-ledger.json');
  let ledger: LedgerFile = {};
  try {
    ledger = JSON.parse(readFileSync(file, 'utf8')) as LedgerFile;
  } catch {
    ledger = {};
  }
  const save = () => {
    const cutoff = now() - windowMs;
    for (const entry of Object.values(ledger)) entry.sends = entry.sends.filter((t) => t > cutoff);
    mkdirSync(dataDir, { recursive: true });
    writeFileAtomic.sync(file, JSON.stringify(ledger), { fsync: true });
  };
  const entryFor = (robot: string) => (ledger[robot] ??= { sends: [], pausedUntil: 0 });
  return {
    load: (robot) => {
      const entry = ledger[robot];
      return entry ? { sends: [...entry.sends], pausedUntil: entry.pausedUntil } : { sends: [], pausedUntil: 0 };
    },
    recordSend: (robot, at) => {
      entryFor(robot).sends.push(at);
      save();
    },
    recordPause: (robot, until) => {
      entryFor(robot).pausedUntil = Math.max(entryFor(robot).pausedUntil, until);
      save();
    },
  };
}
