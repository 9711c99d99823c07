// Fuzz: every parser a member's message meets, on long runs of every punctuation class and
// shapes that make backtracking regexes and rescans blow up. The whole pass is bounded by the test
// timeout (a hang or a quadratic parser fails it); each message must still get a normal reply.
import { beforeAll, describe, expect, it } from 'vitest';
import { handleMessage } from '../../src/bot/handle-message.js';
import { MAX_MESSAGE_CHARS, parseCommand } from '../../src/bot/parse-command.js';
import { createQuestionAnalyser } from '../../src/search/create-question-analyser.js';
import { createTokenizer } from '../../src/search/create-tokenizer.js';
import { FIXTURE_NOW, loadFixture, type Fixture } from '../helpers/knowledge-fixture.js';

const CLASSES = [...'.,!?;:。，！？、；：…-_—~*#@/\\|()[]{}<>（）【】《》`\'"“”‘’=+&%$^ \t\n', 'a', '中', '1', '1.', 'a.', 'at ', '@a ', 'v1.', '\u200b', '😀', '\uFFFD', 'Exception: '];
const LENGTH = 12_000;

/** A run of `unit` of about LENGTH characters, bare, between letters, and spaced out. */
function shapes(unit: string): string[] {
  const run = unit.repeat(Math.ceil(LENGTH / unit.length)).slice(0, LENGTH);
  return [run, `a${run}b`, `请问 ${run} 吗？`, [...run].join(' ')];
}

let fixture: Fixture;
beforeAll(async () => {
  fixture = await loadFixture();
});

describe('hostile message text', () => {
  it('gets a reply for every shape of every punctuation class, reading at most MAX_MESSAGE_CHARS', { timeout: 60_000 }, async () => {
    let handled = 0;
    for (const unit of CLASSES) {
      for (const text of shapes(unit)) {
        const { reply, question } = await handleMessage(
          { text, msgtype: 'text', isGroup: true, senderStaffId: 'user0042' },
          { answerer: fixture.answerer, entries: fixture.entries, now: FIXTURE_NOW, maxReplyBytes: 20_000, digest: { zone: 'Asia/Shanghai', eventsAheadDays: 14 }, admins: [] },
        );
        expect(reply.markdown.length).toBeGreaterThan(0);
        expect(question?.length ?? 0).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
        handled++;
      }
    }
    expect(handled).toBe(CLASSES.length * 4);
  });

  it('parses commands and analyses questions for the unanswered log on the same inputs', { timeout: 60_000 }, () => {
    const analyser = createQuestionAnalyser(createTokenizer(fixture.config.vocabulary));
    for (const unit of CLASSES) {
      for (const text of shapes(unit)) {
        expect(['question', 'small-talk', 'help']).toContain(parseCommand(text).type);
        expect(typeof analyser.analyse(text).normal).toBe('string');
      }
    }
  });
});
