import { createHash } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import { DateTime } from 'luxon';
import type { Config } from '../config/load-config.js';
import type { PostKind } from '../config/config-schema.js';
import type { Entry } from '../knowledge/entry.js';
import type { Logger } from '../logger.js';
import { isAppRobotTarget, type RobotClient, type RobotTarget, type SendJournal } from '../dingtalk/robot-client.js';
import { APP_ROBOT_MAX_PARAM_BYTES, DINGTALK_MAX_BODY_BYTES } from '../dingtalk/limits.js';
import { isRobotGoneAnswer } from '../dingtalk/is-robot-gone-answer.js';
import { DingTalkNetworkError } from '../dingtalk/dingtalk-network-error.js';
import { RobotClientClosedError } from '../dingtalk/robot-client-closed-error.js';
import type { OutboxItem, PostState, PostStore } from '../state/create-post-store.js';
import type { JobLock } from '../state/state-store.js';
import { createProcessLock } from '../state/create-process-lock.js';
import type { Metrics } from '../metrics/create-metrics.js';
import type { UnansweredLog } from '../state/unanswered-log.js';
import { composeDigest, isEmptyDigest } from './compose-digest.js';
import { composeUnansweredDigest } from './compose-unanswered-digest.js';
import { planReminders } from './plan-reminders.js';

/** A group the scheduler posts to, with the client that reaches it (a robot, or the dry run). */
export interface ScheduledGroup {
  name: string;
  posts: readonly PostKind[];
  client: RobotClient;
  target: RobotTarget;
  /** A group subscribed from the chat: when it subscribed to each kind (ISO). Posts that fell due earlier are not its. */
  since?: Partial<Record<PostKind, string>>;
  /** Called when DingTalk says the robot is no longer in the group (a subscribed group is unsubscribed). */
  forget?: (reason: string) => Promise<void>;
}

/** Whether `group` takes a post of `kind` that fell due at `at`. */
const takes = (group: ScheduledGroup, kind: PostKind, at: string): boolean => {
  const since = group.since?.[kind];
  return group.posts.includes(kind) && (since === undefined || Date.parse(since) <= Date.parse(at));
};

// Leaves room for the envelope and for JSON escapes; an app-robot post's limit is its msgParam's.
const budgetOf = (group: ScheduledGroup) => (isAppRobotTarget(group.target) ? APP_ROBOT_MAX_PARAM_BYTES : DINGTALK_MAX_BODY_BYTES) - 1000;

export interface SchedulerDeps {
  config: Pick<Config, 'timezone' | 'digest' | 'unansweredDigest' | 'catchUpMinutes' | 'reminders'>;
  /** The configured groups. */
  groups: readonly ScheduledGroup[];
  /** The groups subscribed from the chat, read at each run. */
  subscribed?: () => Promise<readonly ScheduledGroup[]>;
  /** The knowledge now; undefined while it is loading (nothing is planned then). */
  entries: () => readonly Entry[] | undefined;
  store: PostStore;
  /** One instance at a time runs a tick or an on-request digest; in this process only when absent. */
  lock?: JobLock;
  /** For the admins' weekly unanswered questions; without it that post is not made. */
  unanswered?: Pick<UnansweredLog, 'groups'>;
  now: () => number;
  logger: Logger;
  /** Shows the outbox depth, as last written. */
  metrics?: Pick<Metrics, 'outboxDepth'>;
}

/** What one tick did, for logs and tests. */
export interface TickReport {
  planned: number;
  sent: number;
  missed: number;
  cancelled: number;
  failed: number;
  pending: number;
}

export interface Scheduler {
  /** Looks for due posts, writes them to the outbox, then sends the outbox. Never throws. */
  tick(): Promise<TickReport>;
  /** Posts this week's digest to the digest groups now, unless it went out already this week. */
  sendDigestNow(): Promise<TickReport>;
  /** When this week's digest was first sent to a group; undefined when it has not been. */
  digestSentAt(): Promise<string | undefined>;
  /** Ticks now (catching up after a restart) and then every minute. */
  start(): void;
  /**
   * Stops ticking and waits for a run in progress. From now on a post whose send is cut short (its
   * client drained or closed, a network failure) stays in the outbox, to be resent with the same
   * msgUuid by the next start; only DingTalk's confirmation records it as sent.
   */
  stop(): Promise<void>;
}

const MINUTE = 60_000;
// How far back a restart looks for posts it missed, to log them; older ones are not worth a line.
const MAX_LOOKBACK_MS = 8 * 24 * 60 * MINUTE;
// Sent-log records are kept this long, far beyond any reminder offset or catch-up window.
const LOG_RETENTION_MS = 400 * 24 * 60 * MINUTE;
// A post whose sends keep failing on the network is retried on later ticks for this long.
const RETRY_HORIZON_MS = 6 * 60 * MINUTE;
const DIGEST_LOCK_WAIT_MS = 2 * MINUTE;

const startedAlready = (item: OutboxItem, nowMs: number) => item.event !== undefined && Date.parse(item.event.start) <= nowMs;

const emptyReport = (): TickReport => ({ planned: 0, sent: 0, missed: 0, cancelled: 0, failed: 0, pending: 0 });

/** DingTalk's msgUuid for a post: derived from its key, so every resend of it carries the same one. */
export function msgUuidFor(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The scheduled-post loop. Exactly once: a due post is written to the durable outbox before its
 * first attempt and moved to the sent log after DingTalk confirmed it; a crash in between resends
 * it with the same msgUuid, which DingTalk drops as a duplicate. Posts that fell due longer ago
 * than the catch-up window (the bot was down) are logged as missed, never sent late.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const log = deps.logger.child({ module: 'scheduler' });
  const { timezone: zone, catchUpMinutes } = deps.config;
  const digestPattern = cron.createTask(deps.config.digest.schedule, () => undefined, { timezone: zone });
  const unansweredPattern = cron.createTask(deps.config.unansweredDigest.schedule, () => undefined, { timezone: zone });
  let task: ScheduledTask | undefined;
  let stopped = false;
  // Every write of the state goes through here, so the gauge shows what a restart would resend.
  const save = async (state: PostState): Promise<void> => {
    await deps.store.save(state);
    deps.metrics?.outboxDepth.set(state.outbox.length);
  };

  // One digest a week per group, whether posted on schedule or on an admin's request.
  const digestItems = (entries: readonly Entry[], atMs: number, groups: readonly ScheduledGroup[]): OutboxItem[] => {
    const at = DateTime.fromMillis(atMs, { zone }).toISO() ?? new Date(atMs).toISOString();
    const compose = (maxBytes: number) => composeDigest(entries, { now: at, zone, eventsAheadDays: deps.config.digest.eventsAheadDays, maxBytes });
    const digest = compose(DINGTALK_MAX_BODY_BYTES - 1000);
    if (isEmptyDigest(digest)) {
      // A post saying "nothing this week" every quiet Friday teaches the group to ignore the bot.
      log.info({ week: digest.week.start }, 'nothing to report this week: no digest posted');
      return [];
    }
    const byBudget = new Map([[DINGTALK_MAX_BODY_BYTES - 1000, digest]]);
    return groups
      .filter((g) => takes(g, 'digest', at))
      .map((group) => {
        const budget = budgetOf(group);
        const fitting = byBudget.get(budget) ?? compose(budget);
        byBudget.set(budget, fitting);
        const key = `digest:${digest.week.start}:${group.name}`;
        return { key, kind: 'digest', group: group.name, at, msgUuid: msgUuidFor(key), title: fitting.title, markdown: fitting.markdown };
      });
  };

  // The admins' weekly post: the seven days before the day it falls due, once per ISO week and
  // group. A week without unanswered questions posts nothing.
  const unansweredItems = async (atMs: number, groups: readonly ScheduledGroup[]): Promise<OutboxItem[]> => {
    const at = DateTime.fromMillis(atMs, { zone }).toISO() ?? new Date(atMs).toISOString();
    const adminGroups = groups.filter((g) => takes(g, 'admin', at));
    if (adminGroups.length === 0 || !deps.unanswered) return [];
    const day = DateTime.fromMillis(atMs, { zone }).startOf('day');
    const from = day.minus({ days: 7 }).toISODate() ?? '';
    const to = day.minus({ days: 1 }).toISODate() ?? '';
    const week = day.toISOWeekDate()?.slice(0, 8) ?? from;
    const questions = await deps.unanswered.groups({ from, to, limit: deps.config.unansweredDigest.top });
    if (questions.length === 0) {
      log.info({ from, to }, 'no unanswered questions in the week: no admin digest posted');
      return [];
    }
    const post = composeUnansweredDigest(questions, { from, to, maxBytes: Math.min(...adminGroups.map(budgetOf)) });
    return adminGroups.map((group) => {
      const key = `unanswered:${week}:${group.name}`;
      return { key, kind: 'unanswered', group: group.name, at, msgUuid: msgUuidFor(key), title: post.title, markdown: post.markdown };
    });
  };

  const duePosts = async (entries: readonly Entry[], fromMs: number, toMs: number, state: PostState, groups: readonly ScheduledGroup[]): Promise<OutboxItem[]> => {
    const known = new Set([...Object.keys(state.log), ...state.outbox.map((i) => i.key)]);
    const items: OutboxItem[] = [];
    for (let t = Math.floor(fromMs / MINUTE) * MINUTE + MINUTE; t <= toMs; t += MINUTE) {
      if (digestPattern.match(new Date(t))) items.push(...digestItems(entries, t, groups));
      if (unansweredPattern.match(new Date(t))) items.push(...(await unansweredItems(t, groups)));
    }
    const reminders = planReminders(entries, {
      from: new Date(fromMs + 1).toISOString(),
      to: new Date(toMs + 1).toISOString(),
      zone,
      defaultOffsets: deps.config.reminders.offsets,
      groups: groups.map((g) => ({ name: g.name, posts: g.posts })),
    });
    const byName = new Map(groups.map((g) => [g.name, g]));
    for (const r of reminders) {
      const group = byName.get(r.group);
      if (!group || !takes(group, 'reminders', r.at)) continue;
      const key = `reminder:${r.key}`;
      items.push({ key, kind: 'reminder', group: r.group, at: r.at, msgUuid: msgUuidFor(key), title: r.title, markdown: r.text, event: { id: r.event, start: r.start } });
    }
    return items.filter((i) => !known.has(i.key)).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  };

  // A reminder waiting in the outbox is sent only if its event still starts when it was planned for.
  const stillValid = (item: OutboxItem, entries: readonly Entry[]): boolean => {
    if (!item.event) return true;
    const { id, start } = item.event;
    // Compared to the second, as reminder keys are: a start written with milliseconds is the same start.
    const second = (iso: string) => Math.floor(Date.parse(iso) / 1000);
    return entries.some((e) => e.kind === 'event' && e.id === id && second(e.start) === second(start));
  };

  const deliverOutbox = async (state: PostState, entries: readonly Entry[], report: TickReport, groups: readonly ScheduledGroup[]): Promise<void> => {
    // Saves are chained: the sends run side by side (the client keeps each robot's order and pace).
    let saving = Promise.resolve();
    const persist = () => (saving = saving.then(() => save(state)));
    const finish = (item: OutboxItem, outcome: 'sent' | 'cancelled' | 'failed' | 'unconfirmed', detail?: string) => {
      state.outbox = state.outbox.filter((i) => i.key !== item.key);
      state.log[item.key] = { outcome, at: item.at, kind: item.kind, group: item.group, recordedAt: new Date(deps.now()).toISOString(), ...(detail ? { detail } : {}) };
      return persist();
    };
    // The app robot has no msgUuid: "attempted" is written down before each request that could post.
    const journalOf = (item: OutboxItem): SendJournal => ({
      attempting: () => {
        item.attemptedAt = new Date(deps.now()).toISOString();
        return persist();
      },
      notPosted: () => {
        delete item.attemptedAt;
        return persist();
      },
    });
    const deliver = async (item: OutboxItem): Promise<void> => {
      if (item.attemptedAt) {
        // A run that stopped (a crash, a shutdown) mid-request: the post may be in the chat already.
        log.error({ key: item.key, group: item.group, attemptedAt: item.attemptedAt }, 'post unconfirmed: a request for it got no answer before the bot stopped; not resent');
        report.failed++;
        return finish(item, 'unconfirmed', 'a request got no answer before the bot stopped; it may or may not be in the chat');
      }
      const group = groups.find((g) => g.name === item.group);
      if (!group) {
        report.cancelled++;
        return finish(item, 'cancelled', 'the group is no longer configured or subscribed');
      }
      if (!stillValid(item, entries)) {
        log.info({ key: item.key }, 'reminder cancelled: the event was moved or removed');
        report.cancelled++;
        return finish(item, 'cancelled', 'the event was moved or removed');
      }
      try {
        const message = { msgtype: 'markdown', markdown: { title: item.title, text: item.markdown }, msgUuid: item.msgUuid } as const;
        const receipt = await group.client.send(group.target, message, journalOf(item));
        log.info({ key: item.key, group: item.group, attempts: receipt.attempts }, 'post sent');
        report.sent++;
        return finish(item, 'sent');
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        // Shutting down is not a failure of the post: whatever DingTalk did not refuse is sent again later.
        const interrupted = err instanceof RobotClientClosedError || (err instanceof DingTalkNetworkError && (stopped || err.kind === 'aborted'));
        if (interrupted) {
          log.info({ key: item.key, group: item.group, err: reason }, 'post left in the outbox: sending was stopped; the next start sends it');
          return;
        }
        report.failed++;
        if (item.attemptedAt) {
          // At most once: a second copy in the group is worse than one post an admin can resend.
          log.error({ key: item.key, group: item.group, err: reason }, 'post unconfirmed: DingTalk gave no certain answer; not resent');
          return finish(item, 'unconfirmed', reason);
        }
        if (isRobotGoneAnswer(err) && group.forget) {
          log.warn({ group: item.group, err: reason }, 'the robot is no longer in this group: unsubscribing it');
          await group.forget(reason);
        }
        // A network failure that outlasted the client's retries stays in the outbox for the next
        // tick, while the post is still worth sending; DingTalk refusing it is final.
        if (err instanceof DingTalkNetworkError && deps.now() < Date.parse(item.at) + RETRY_HORIZON_MS && !startedAlready(item, deps.now())) {
          log.warn({ key: item.key, group: item.group, err: reason }, 'post not sent yet; will retry');
          return;
        }
        log.error({ key: item.key, group: item.group, err: reason }, 'post failed');
        return finish(item, 'failed', reason);
      }
    };
    await Promise.all(state.outbox.map(deliver));
    await saving;
  };

  const runTick = async (): Promise<TickReport> => {
    const report = emptyReport();
    const entries = deps.entries();
    if (!entries) return report;
    const nowMs = deps.now();
    const nowIso = new Date(nowMs).toISOString();
    const state = await deps.store.load();
    const groups = await allGroups();
    const catchUpFrom = nowMs - catchUpMinutes * MINUTE;
    const fromMs = Math.max(state.lastTick ? Date.parse(state.lastTick) : catchUpFrom, nowMs - MAX_LOOKBACK_MS);

    for (const item of await duePosts(entries, fromMs, nowMs, state, groups)) {
      if (Date.parse(item.at) < catchUpFrom) {
        state.log[item.key] = { outcome: 'missed', at: item.at, kind: item.kind, group: item.group, recordedAt: nowIso, detail: 'fell due while the bot was not running' };
        log.warn({ key: item.key, at: item.at }, 'post missed: it fell due before the catch-up window');
        report.missed++;
      } else {
        state.outbox.push(item);
        report.planned++;
      }
    }
    state.lastTick = nowIso;
    for (const [key, record] of Object.entries(state.log)) {
      if (Date.parse(record.recordedAt) < nowMs - LOG_RETENTION_MS) delete state.log[key];
    }
    // Written down before anything is sent: from here a crash can only cause a resend with the same msgUuid.
    await save(state);

    await deliverOutbox(state, entries, report, groups);
    report.pending = state.outbox.length;
    return report;
  };

  const allGroups = async (): Promise<readonly ScheduledGroup[]> => [...deps.groups, ...((await deps.subscribed?.()) ?? [])];

  const sendDigestNow = async (): Promise<TickReport> => {
    const report = emptyReport();
    const entries = deps.entries();
    if (!entries) return report;
    const state = await deps.store.load();
    const groups = await allGroups();
    const known = new Set([...Object.keys(state.log), ...state.outbox.map((i) => i.key)]);
    const items = digestItems(entries, deps.now(), groups).filter((i) => !known.has(i.key));
    state.outbox.push(...items);
    report.planned = items.length;
    await save(state);
    await deliverOutbox(state, entries, report, groups);
    report.pending = state.outbox.length;
    return report;
  };

  // One run at a time, here and across instances: a slow send (rate limit, retries) must not let
  // two runs send one post. A tick that finds another instance running skips: that instance is on it.
  const lock = deps.lock ?? createProcessLock();
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = (run: () => Promise<TickReport>, waitMs: number): Promise<TickReport> => {
    const locked = async () => {
      let report = { ...emptyReport(), pending: -1 };
      const ran = await lock.run(
        'scheduler',
        async () => {
          report = await run();
        },
        { waitMs },
      );
      if (!ran) log.debug('another instance is running the scheduler');
      return report;
    };
    const next = queue.then(locked, locked);
    queue = next.catch(() => undefined);
    return next;
  };

  let ticking: Promise<TickReport> | undefined;
  const tick = (): Promise<TickReport> => {
    // A tick already waiting covers this one: it will look at everything due by the time it runs.
    if (ticking) return ticking;
    ticking = exclusive(runTick, 0)
      .catch((err: unknown) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'scheduler tick failed');
        return { ...emptyReport(), pending: -1 };
      })
      .then((report) => {
        if (report.planned || report.sent || report.missed || report.cancelled || report.failed) log.info(report, 'scheduler tick');
        return report;
      })
      .finally(() => {
        ticking = undefined;
      });
    return ticking;
  };

  return {
    tick,
    // An admin asked: worth waiting for another instance's tick to finish.
    sendDigestNow: () => exclusive(sendDigestNow, DIGEST_LOCK_WAIT_MS),
    async digestSentAt() {
      const week = DateTime.fromMillis(deps.now(), { zone }).startOf('week').toISODate();
      const { log: sent } = await deps.store.load();
      const times = Object.entries(sent)
        .filter(([key, record]) => key.startsWith(`digest:${week}:`) && record.outcome === 'sent')
        .map(([, record]) => record.recordedAt)
        .sort();
      return times[0];
    },
    start() {
      void tick();
      task = cron.schedule('* * * * *', () => void tick(), { timezone: zone, noOverlap: true, name: 'scheduled-posts' });
    },
    async stop() {
      stopped = true;
      await task?.stop();
      await task?.destroy();
      // Until no run is left: one may have been queued meanwhile (an admin's 周报 发送 still being handled).
      for (let last: Promise<unknown> | undefined; last !== queue; ) {
        last = queue;
        await last;
      }
      // The patterns are read by a run, so they go last.
      await digestPattern.destroy();
      await unansweredPattern.destroy();
    },
  };
}
