import { z } from 'zod';
import { validate } from 'node-cron';
import { parseOffset } from '../shared/parse-offset.js';
import { isValidZone } from '../shared/is-valid-zone.js';

// host, host:port, or [v6]:port; lower-case letters, digits, dots and dashes.
const HOST_PORT = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** What a group can be sent: the weekly digest, event reminders, admin notices (knowledge errors, unanswered questions). */
export const POST_KINDS = ['digest', 'reminders', 'admin'] as const;
export type PostKind = (typeof POST_KINDS)[number];

const cronExpression = (example: string) =>
  z.string().refine((s) => validate(s), { message: `expected a cron expression such as "${example}"` });

const offset = z.string().refine((s) => parseOffset(s) !== undefined, {
  message: 'expected an offset such as 1d, 2h or 15m',
});

/** Everything the settings files and environment may hold; secrets only ever come from the environment. */
export const configSchema = z
  .object({
    server: z
      .object({
        port: z.coerce.number().int().min(0).max(65535),
        /** Address to listen on; absent: every interface (IPv6 and IPv4). */
        host: z.string().trim().min(1).optional(),
        shutdownTimeoutSeconds: z.number().int().min(1).max(3600),
      })
      .strict(),
    timezone: z.string().refine(isValidZone, { message: 'expected an IANA time zone such as Asia/Shanghai' }),
    knowledge: z
      .object({
        dirs: z.array(z.string().min(1)).min(1, 'at least one knowledge folder is needed'),
        maxFileBytes: z.number().int().positive(),
        archiveSiteUrl: z.string().regex(/^https?:\/\/[^\s/]+(?:\/[^\s]*)?$/, 'expected an http(s) URL such as https://www.sofastack.tech'),
      })
      .strict(),
    dataDir: z.string().min(1),
    state: z
      .object({
        // The URL may hold a password: the message must not echo it.
        redisUrl: z
          .string()
          .refine((s) => /^rediss?:\/\/[^\s]+$/.test(s), { message: 'expected redis://[:password@]host:port[/db] or rediss://…' })
          .optional(),
        redisKeyPrefix: z.string().min(1).max(100),
      })
      .strict(),
    dingtalk: z
      .object({
        // http: DingTalk calls /dingtalk/callback; stream: the bot opens an outbound WebSocket.
        mode: z.enum(['http', 'stream']),
        apiBase: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }),
        // The new OpenAPI (access tokens, Stream gateway, app-robot group messages).
        openapiBase: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }),
        sessionHosts: z.array(
          z
            .string()
            .transform((s) => s.trim().toLowerCase())
            .refine((s) => HOST_PORT.test(s), { message: 'expected host or host:port' }),
        ),
        signatureWindowSeconds: z.number().int().min(1).max(3600),
        requestTimeoutMs: z.number().int().min(100).max(120_000),
        throttlePauseMs: z.number().int().min(100).max(3_600_000),
        // The app's AppKey (Client ID); it is also the robot code.
        appKey: z.string().min(1).optional(),
        appSecret: z.string().min(1).optional(),
        robotCode: z.string().min(1).optional(),
        // Stream mode's keep-alive: a ping every pingIntervalMs; silent past silenceTimeoutMs, the connection is replaced.
        stream: z
          .object({
            pingIntervalMs: z.number().int().min(50).max(600_000),
            silenceTimeoutMs: z.number().int().min(100).max(600_000),
          })
          .strict()
          .refine((s) => s.silenceTimeoutMs > s.pingIntervalMs, { message: 'silenceTimeoutMs must be longer than pingIntervalMs', path: ['silenceTimeoutMs'] }),
      })
      .strict()
      .superRefine((d, ctx) => {
        if (d.mode !== 'stream') return;
        for (const [key, env] of [['appKey', 'DINGTALK_APP_KEY'], ['appSecret', 'DINGTALK_APP_SECRET']] as const) {
          if (!d[key]) ctx.addIssue({ code: 'custom', path: [key], message: `stream mode needs ${env} (the app's ${key === 'appKey' ? 'AppKey / Client ID' : 'AppSecret / Client Secret'})` });
        }
      }),
    reminders: z.object({ offsets: z.array(offset) }).strict(),
    digest: z
      .object({
        schedule: cronExpression('0 18 * * 5'),
        eventsAheadDays: z.number().int().min(0).max(365),
      })
      .strict(),
    unansweredDigest: z
      .object({
        schedule: cronExpression('0 10 * * 1'),
        top: z.number().int().min(1).max(20),
      })
      .strict(),
    catchUpMinutes: z.number().int().min(0).max(7 * 24 * 60),
    groups: z
      .array(
        z
          .object({
            name: z.string().trim().min(1),
            tokenEnv: z.string().regex(ENV_NAME, 'expected an environment variable name such as DINGTALK_COMMUNITY_TOKEN'),
            secretEnv: z.string().regex(ENV_NAME, 'expected an environment variable name').optional(),
            posts: z.array(z.enum(POST_KINDS)).min(1),
          })
          .strict(),
      )
      .refine((groups) => new Set(groups.map((g) => g.name)).size === groups.length, { message: 'group names must be unique' }),
    admins: z.object({ staffIds: z.array(z.string().trim().min(1)) }).strict(),
    search: z
      .object({
        answerThreshold: z.number().min(0).max(1),
        suggestThreshold: z.number().min(0).max(1),
        suggestions: z.number().int().min(0).max(10),
        pickLinks: z.boolean(),
        staleAfterYears: z.number().min(0),
      })
      .strict()
      .refine((s) => s.suggestThreshold <= s.answerThreshold, {
        message: 'suggestThreshold must not be above answerThreshold',
        path: ['suggestThreshold'],
      }),
    vocabulary: z
      .object({
        synonyms: z.array(z.array(z.string().trim().min(1)).min(2, 'a synonym group needs at least two words')),
        glossary: z.array(z.array(z.string().trim().min(1)).min(2, 'a glossary group needs at least two words')),
        terms: z.array(z.string().trim().min(1)),
        generic: z.array(z.string().trim().min(1)),
        facets: z.record(z.string(), z.array(z.string().trim().min(1)).min(2, 'a facet needs at least two values')),
      })
      .strict(),
    metrics: z
      .object({
        enabled: z.boolean(),
        token: z.string().min(1).optional(),
      })
      .strict(),
    playground: z
      .object({
        enabled: z.boolean(),
        // Long enough that guessing it through the login form's rate limit is hopeless.
        token: z.string().min(16, 'expected at least 16 characters (for example: openssl rand -hex 24)').optional(),
      })
      .strict(),
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
        /** pretty: readable lines with the local time; json: one JSON object a line, ISO times; auto: pretty on a terminal. */
        format: z.enum(['auto', 'pretty', 'json']),
      })
      .strict(),
    configDir: z.string(),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
