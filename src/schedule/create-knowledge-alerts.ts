import type { Logger } from '../logger.js';
import type { ScheduledGroup } from './create-scheduler.js';
import { composeKnowledgeAlert } from './compose-knowledge-alert.js';

export interface KnowledgeAlerts {
  /** Takes the knowledge's current errors (`file:line: message`); new ones are posted to the admin groups. */
  report(errors: readonly string[]): void;
  /** Stops posting and waits for posts in flight; errors still waiting are dropped (a restart reports the current ones again). */
  close(): Promise<void>;
}

export interface KnowledgeAlertsDeps {
  /** The configured groups taking admin posts. */
  groups: readonly ScheduledGroup[];
  /** The groups subscribed to admin notices from the chat, read when a notice goes out. */
  subscribed?: () => Promise<readonly ScheduledGroup[]>;
  logger: Logger;
  /** At most one notice per this long: errors found meanwhile wait and go out together. */
  intervalMs?: number;
  now?: () => number;
  /**
   * Whether this instance posts an error: with several instances each sees the same errors, and
   * the first to claim one posts it. Absent: every error is this instance's.
   */
  claim?: (error: string) => Promise<boolean>;
}

/**
 * Tells the admin groups about knowledge errors as they appear. An error is posted once while it
 * lasts, not on every reload; once fixed, the same error breaking again is new again. The first
 * notice goes out at once, later ones at most once per interval, so an afternoon of edits makes a
 * few posts rather than one per save. Best effort: a post that fails is logged, not retried
 * (the errors stay in the log and /readyz).
 */
export function createKnowledgeAlerts(deps: KnowledgeAlertsDeps): KnowledgeAlerts {
  const log = deps.logger.child({ module: 'knowledge-alerts' });
  const intervalMs = deps.intervalMs ?? 5 * 60_000;
  const now = deps.now ?? Date.now;
  const posted = new Set<string>();
  const waiting = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let lastPostAt = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const claim = deps.claim ?? (() => Promise.resolve(true));
  const post = async () => {
    timer = undefined;
    if (closed || waiting.size === 0) return;
    const found = [...waiting];
    waiting.clear();
    for (const error of found) posted.add(error);
    lastPostAt = now();
    const claimed = await Promise.all(
      found.map((error) =>
        claim(error).catch((err: unknown) => {
          // Better twice than never.
          log.warn({ err: err instanceof Error ? err.message : String(err) }, 'knowledge error not claimed; posting it anyway');
          return true;
        }),
      ),
    );
    const errors = found.filter((_, i) => claimed[i]);
    if (closed || errors.length === 0) return;
    const { title, markdown } = composeKnowledgeAlert(errors);
    const groups = [...deps.groups, ...((await deps.subscribed?.()) ?? [])];
    if (closed) return;
    for (const group of groups) {
      const sending = group.client
        .send(group.target, { msgtype: 'markdown', markdown: { title, text: markdown } })
        .then(
          () => log.info({ group: group.name, errors: errors.length }, 'knowledge errors posted to the admin group'),
          (err: unknown) => log.error({ group: group.name, err: err instanceof Error ? err.message : String(err) }, 'knowledge errors not posted'),
        )
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }
  };

  return {
    report(errors) {
      if (closed || (deps.groups.length === 0 && !deps.subscribed)) return;
      const current = new Set(errors);
      for (const error of posted) if (!current.has(error)) posted.delete(error);
      for (const error of waiting) if (!current.has(error)) waiting.delete(error);
      for (const error of current) if (!posted.has(error)) waiting.add(error);
      if (waiting.size === 0 || timer) return;
      timer = setTimeout(() => void post(), Math.max(0, lastPostAt + intervalMs - now()));
      timer.unref();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
