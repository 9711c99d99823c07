/**
 * The send slots of each robot, shared by every sender of this process and, through the state
 * store, by every instance and restart: DingTalk allows a robot 20 sends a minute and throttles it
 * for ten minutes beyond that. Robots are named by a digest of their access token, never the token.
 *
 * A slot is taken before its request leaves, dated as late as the request could reach DingTalk
 * (`until`, its start plus the request timeout), and re-dated when the answer comes back: DingTalk
 * counts a send on arrival, somewhere in between, so a kill mid-request still holds the slot.
 */
export interface RateLedger {
  /**
   * Takes a slot for `robot` if it is not paused and fewer than `limit` slots fall in the window
   * `(now - windowMs, now]`: records it as `id` dated `until` and answers 0. Otherwise records
   * nothing and answers how many ms to wait before asking again.
   */
  reserve(robot: string, slot: { id: string; now: number; until: number; limit: number; windowMs: number }): Promise<number>;
  /** Re-dates a taken slot to when its answer (or failure) came back. */
  finish(robot: string, id: string, at: number): Promise<void>;
  /** DingTalk throttles the robot until `until`: nothing is sent to it before then. */
  pause(robot: string, until: number): Promise<void>;
}

/** Per robot: its recent slots (id → date) and its pause. */
export interface RobotSlots {
  slots: Record<string, number>;
  pausedUntil: number;
}

/**
 * The rule every ledger applies, in one place (the Redis ledger runs the same in Lua): slots dated
 * at or before `now - windowMs` are forgotten; a wall clock stepped back is bounded by treating a
 * slot dated beyond `until` as dated `until`.
 */
export function reserveSlot(robot: RobotSlots, slot: { id: string; now: number; until: number; limit: number; windowMs: number }): number {
  const { now, until, limit, windowMs } = slot;
  for (const [id, at] of Object.entries(robot.slots)) {
    if (at <= now - windowMs) delete robot.slots[id];
    else if (at > until) robot.slots[id] = until;
  }
  const paused = robot.pausedUntil - now;
  if (paused > 0) return paused;
  const dates = Object.values(robot.slots).sort((a, b) => a - b);
  if (dates.length >= limit) return Math.max(1, (dates[dates.length - limit] ?? now) + windowMs - now);
  robot.slots[slot.id] = until;
  return 0;
}
