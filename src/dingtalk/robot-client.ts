/**
 * The contract shared by the real robot client and the dry-run client, so the scheduler never
 * knows which one it holds, nor which kind of destination a group is.
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
export interface WebhookTarget {
  /** A name for logs and errors, e.g. "community"; never the token. */
  group: string;
  /** Only the value after `access_token=`, not the whole webhook URL. */
  accessToken: string;
  /** The `SEC…` secret when the robot uses 加签; sends are then signed. */
  secret?: string;
}

/**
 * A group the app robot is in, posted to through the OpenAPI (`groupMessages/send`) with the app's
 * credentials: the group's `openConversationId` is the `conversationId` of its callbacks.
 */
export interface AppRobotTarget {
  /** A name for logs and errors; never a credential. */
  group: string;
  openConversationId: string;
}

/** Where a post goes: a custom robot's webhook, or a group through the app robot. */
export type RobotTarget = WebhookTarget | AppRobotTarget;

export const isAppRobotTarget = (target: RobotTarget): target is AppRobotTarget => 'openConversationId' in target;

/**
 * What a sender without DingTalk's duplicate check (the app robot has no `msgUuid`) writes down
 * around each HTTP attempt, so a crash or an unanswered request is never resent blindly.
 */
export interface SendJournal {
  /** Awaited right before each request that could post the message: "attempted" is on disk first. */
  attempting(): Promise<void>;
  /** Awaited after an attempt DingTalk certainly did not post (it answered a refusal or a 5xx, or no connection was made). */
  notPosted(): Promise<void>;
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
   *
   * For an app-robot target, `journal` is told of each attempt, and a request that got no certain
   * answer (a timeout, a connection dropped after the request was sent) is not retried: it may be
   * in the chat already, and DingTalk would not drop a second copy.
   */
  send(target: RobotTarget, message: RobotMessage, journal?: SendJournal): Promise<SendReceipt>;
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
