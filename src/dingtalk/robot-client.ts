/**
 * The contract shared by the real custom-robot client and the dry-run client, so the scheduler
 * never knows which one it holds.
 */

/** Who is @-mentioned. For a visible mention the `@mobile` / `@userId` text must also be in the body. */
export interface RobotAt {
  atMobiles?: string[];
  atUserIds?: string[];
  isAtAll?: boolean;
}

interface RobotMessageBase {
  at?: RobotAt;
  /**
   * DingTalk drops a resend carrying the same value (protocol reference §4.6). An outbox passes
   * its entry id so a resend after a restart is dropped too; when absent the client makes one
   * per `send` call, shared by all its retries.
   */
  msgUuid?: string;
}

export interface RobotMarkdownMessage extends RobotMessageBase {
  msgtype: 'markdown';
  /** `title` is required by DingTalk (errcode 400402 without it); it shows in the chat list. */
  markdown: { title: string; text: string };
}

export interface RobotTextMessage extends RobotMessageBase {
  msgtype: 'text';
  text: { content: string };
}

/** A custom-robot message body as DingTalk takes it. */
export type RobotMessage = RobotMarkdownMessage | RobotTextMessage;

/** One custom group robot. Credentials come from the environment, never from settings files. */
export interface RobotTarget {
  /** A name for logs and errors, e.g. "community"; never the token. */
  group: string;
  /** Only the value after `access_token=`, not the whole webhook URL. */
  accessToken: string;
  /** The `SEC…` secret when the robot uses 加签; sends are then signed. */
  secret?: string;
}

export interface SendReceipt {
  group: string;
  /** The `msgUuid` the message was sent with. */
  msgUuid: string;
  /** HTTP requests made for this message, retries and resends after throttling included; 0 in a dry run. */
  attempts: number;
  /** `now()` when DingTalk confirmed the message. */
  deliveredAt: number;
}

export interface RobotClient {
  /**
   * Sends one message; resolves once DingTalk accepted it, rejects with DingTalkApiError,
   * DingTalkNetworkError (after the retries), RangeError (body too large, nothing sent) or
   * RobotClientClosedError. Messages for the same robot are delivered in call order.
   */
  send(target: RobotTarget, message: RobotMessage): Promise<SendReceipt>;
  /** Resolves when every message handed to `send` so far has been delivered or has failed; never rejects. */
  idle(): Promise<void>;
  /**
   * Stops sending without cutting a request short: a request in flight gets DingTalk's answer (and
   * is not retried), while queued messages, rate-limit waits, retries and later `send` calls reject
   * with RobotClientClosedError. Resolves once nothing is in flight; never rejects.
   */
  drain(): Promise<void>;
  /**
   * Stops the client: queued messages and later `send` calls reject with RobotClientClosedError,
   * waits are cut short and requests in flight are aborted. Call `await idle()` first to drain.
   */
  close(): void;
}
