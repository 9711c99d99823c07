import { z } from 'zod';

/** A message DingTalk delivered to the robot, reduced to what the bot uses. */
export interface IncomingMessage {
  msgId: string;
  msgtype: string;
  /** The question text: `text.content`, the text nodes of rich text, or speech recognition; '' otherwise. */
  text: string;
  conversationType: 'private' | 'group';
  conversationId: string;
  conversationTitle?: string;
  senderNick: string;
  senderStaffId?: string;
  isAdmin: boolean;
  robotCode?: string;
  sessionWebhook?: string;
  /** Epoch ms after which the session webhook no longer works. */
  sessionWebhookExpiredTime?: number;
}

export class CallbackPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallbackPayloadError';
  }
}

// DingTalk documents some numbers as strings and sends numbers; accept both.
const epochMs = z.union([z.number(), z.string().regex(/^\d{1,16}$/).transform(Number)]);
const shortText = z.string().max(512);

// Lenient on purpose: unknown fields are ignored (DingTalk adds fields over time), only what the
// bot relies on is checked.
const payloadSchema = z.object({
  msgtype: shortText.min(1),
  msgId: shortText.min(1),
  conversationType: z.enum(['1', '2']),
  conversationId: shortText.min(1),
  conversationTitle: z.string().max(1024).optional(),
  senderNick: z.string().max(1024).optional(),
  senderStaffId: shortText.optional(),
  isAdmin: z.boolean().optional(),
  robotCode: shortText.optional(),
  sessionWebhook: z.string().max(2048).optional(),
  sessionWebhookExpiredTime: epochMs.optional(),
  text: z.object({ content: z.string() }).optional(),
  content: z
    .object({
      richText: z.array(z.object({ text: z.string().optional() }).loose()).optional(),
      recognition: z.string().optional(),
    })
    .loose()
    .optional(),
});

/** Turns an untrusted callback body into an IncomingMessage, or throws CallbackPayloadError. */
export function parseCallback(body: unknown): IncomingMessage {
  const result = payloadSchema.safeParse(body);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new CallbackPayloadError(`invalid callback payload: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unreadable'}`);
  }
  const p = result.data;
  return {
    msgId: p.msgId,
    msgtype: p.msgtype,
    text: textOf(p),
    conversationType: p.conversationType === '2' ? 'group' : 'private',
    conversationId: p.conversationId,
    ...(p.conversationTitle ? { conversationTitle: p.conversationTitle } : {}),
    senderNick: p.senderNick ?? '',
    ...(p.senderStaffId ? { senderStaffId: p.senderStaffId } : {}),
    isAdmin: p.isAdmin === true,
    ...(p.robotCode ? { robotCode: p.robotCode } : {}),
    ...(p.sessionWebhook ? { sessionWebhook: p.sessionWebhook } : {}),
    ...(p.sessionWebhookExpiredTime === undefined ? {} : { sessionWebhookExpiredTime: p.sessionWebhookExpiredTime }),
  };
}

function textOf(p: z.infer<typeof payloadSchema>): string {
  if (p.msgtype === 'text') return p.text?.content ?? '';
  if (p.msgtype === 'richText') return (p.content?.richText ?? []).flatMap((node) => (node.text ? [node.text] : [])).join(' ');
  if (p.msgtype === 'audio') return p.content?.recognition ?? '';
  return '';
}
