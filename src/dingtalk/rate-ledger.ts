/**
 * Remembers a robot's recent sends and throttle pause beyond one process, so a restart (or another
 * instance) cannot push a robot past DingTalk's 20 sends a minute: DingTalk would throttle it for
 * ten minutes. Robots are named by a digest of their access token, never the token itself.
 */
export interface RateLedger {
  /** What earlier processes recorded for the robot. */
  load(robot: string): { sends: number[]; pausedUntil: number };
  /** Records, durably and before the request leaves, that a send to the robot starts at `at`. */
  recordSend(robot: string, at: number): void;
  /** Records that the robot is throttled until `until`. */
  recordPause(robot: string, until: number): void;
}
