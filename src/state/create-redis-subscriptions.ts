import type { Redis } from 'ioredis';
import { POST_KINDS, type PostKind } from '../config/config-schema.js';
import type { Subscription, Subscriptions } from './state-store.js';

/**
 * The shared subscriptions: one hash field per group and kind (`<openConversationId>\n<kind>` →
 * when it subscribed) and one per group title, so two instances changing one group at once each
 * write only their own fields: HSETNX keeps the first subscription time, HDEL removes a kind.
 */
export function createRedisSubscriptions(redis: Redis, key: string): Subscriptions {
  const postsKey = `${key}:posts`;
  const titlesKey = `${key}:titles`;
  const field = (openConversationId: string, kind: PostKind) => `${openConversationId}\n${kind}`;

  const read = async (): Promise<Map<string, Subscription>> => {
    const [posts, titles] = await Promise.all([redis.hgetall(postsKey), redis.hgetall(titlesKey)]);
    const groups = new Map<string, Subscription>();
    for (const [name, at] of Object.entries(posts)) {
      const split = name.lastIndexOf('\n');
      const openConversationId = name.slice(0, split);
      const kind = name.slice(split + 1);
      if (!(POST_KINDS as readonly string[]).includes(kind)) continue;
      const group = groups.get(openConversationId) ?? { openConversationId, title: titles[openConversationId] ?? '', posts: {} };
      group.posts[kind as PostKind] = at;
      groups.set(openConversationId, group);
    }
    return groups;
  };

  return {
    async list() {
      return [...(await read()).values()];
    },
    async subscribe({ openConversationId, title }, kinds, at) {
      const batch = redis.multi().hset(titlesKey, openConversationId, title);
      for (const kind of kinds) batch.hsetnx(postsKey, field(openConversationId, kind), at);
      await batch.exec();
      return (await read()).get(openConversationId) ?? { openConversationId, title, posts: {} };
    },
    async unsubscribe(openConversationId, kinds) {
      if (kinds.length > 0) await redis.hdel(postsKey, ...kinds.map((kind) => field(openConversationId, kind)));
      const left = (await read()).get(openConversationId);
      if (!left) await redis.hdel(titlesKey, openConversationId);
      return left;
    },
  };
}
