// The playground's only script, served as a file so the page's Content-Security-Policy allows no
// inline code. Everything from the server is set with textContent, except the reply and digest
// HTML, which the server rendered from Markdown with raw HTML switched off.

const byId = (id) => document.getElementById(id);

const HANDLED_AS = {
  answer: 'Answered',
  suggest: 'Offered “did you mean”',
  pick: 'Picked from “did you mean”',
  'pick-none': 'A number with no list to pick from',
  'pick-gone': 'Picked an entry no longer in the knowledge',
  abstain: 'Said it does not know',
  help: 'Command: help',
  events: 'Command: upcoming events',
  digest: 'Command: digest preview',
  'digest-send': 'Command: send the digest',
  refused: 'Refused (admin command)',
  unsupported: 'Unsupported message',
};

/** Calls the playground's API; a 401 means the session ended, and the reload shows the sign-in form. */
async function call(url, init = {}) {
  const response = await fetch(url, { ...init, credentials: 'same-origin', headers: { accept: 'application/json', ...init.headers } });
  if (response.status === 401) {
    window.location.reload();
    throw new Error('signed out');
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `the bot answered ${response.status}`);
  return data;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** Links only to http(s): a knowledge URL is data, never script. */
function link(text, url) {
  if (!/^https?:\/\//i.test(url || '')) return element('span', text);
  const a = element('a', text);
  a.href = url;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

const number = (value) => (typeof value === 'number' ? value.toFixed(2) : '–');

function bandOf(score, thresholds) {
  if (score >= thresholds.answer) return ['answers', 'at or above the answer threshold'];
  if (score >= thresholds.suggest) return ['suggests', 'at or above the suggestion threshold'];
  return ['below', 'below both thresholds'];
}

function showKnowledge(knowledge) {
  const footer = byId('knowledge');
  footer.replaceChildren(element('span', `Serving ${knowledge.entries} entries. `));
  if (knowledge.errors.length === 0) {
    footer.append(element('span', 'No knowledge errors.'));
    return;
  }
  footer.append(element('span', `${knowledge.errors.length} knowledge error(s), each file keeps serving its last good version:`));
  const list = element('ul');
  for (const error of knowledge.errors) list.append(element('li', error));
  footer.append(list);
}

function showMatches(data) {
  const body = byId('matches').tBodies[0];
  body.replaceChildren();
  const note = byId('ranking-note');
  if (!data.ranking) {
    note.textContent = 'This command is answered without ranking.';
    byId('matches').hidden = true;
    return;
  }
  byId('matches').hidden = data.ranking.matches.length === 0;
  note.textContent =
    `The engine was asked “${data.ranking.asked}” (intent: ${data.ranking.intent}). ` +
    `The bot answers when the best score is at least ${data.thresholds.answer} and offers “did you mean” from ${data.thresholds.suggest}.` +
    (data.ranking.matches.length === 0 ? ' No candidates.' : '');
  data.ranking.matches.forEach((match, index) => {
    const row = element('tr');
    const [band, meaning] = bandOf(match.score, data.thresholds);
    const score = element('td', match.score.toFixed(3), `score ${band}`);
    score.title = meaning;
    const features = match.features
      ? [match.features.questionCoverage, match.features.specificCoverage, match.features.titleCoverage, match.features.lead, match.features.matchedInformation]
          .map(number)
          .join(' · ') + (match.features.blocked ? ` · not an answer: ${match.features.blocked}` : '')
      : '–';
    const title = element('td');
    title.lang = 'zh-CN';
    title.append(link(match.title, match.url));
    row.append(element('td', String(index + 1)), score, element('td', match.kind), title, element('td', features, 'features'), element('td', match.source, 'source'));
    body.append(row);
  });
}

function showAnswer(data) {
  const intent = data.ranking ? ` · intent: ${data.ranking.intent}` : '';
  byId('ask-summary').textContent = `${HANDLED_AS[data.handledAs] || data.handledAs}${intent} · ${data.ms} ms`;
  byId('reply-title').textContent = data.reply.title;
  // Rendered and sanitised on the server (markdown-it with raw HTML off); see render-dingtalk-html.ts.
  byId('reply-body').innerHTML = data.reply.html;
  byId('reply-markdown').textContent = data.reply.markdown;
  showMatches(data);
  showKnowledge(data.knowledge);
  byId('ask-details').hidden = false;
}

function showDigest(data) {
  const { counts } = data;
  const omitted = data.omitted > 0 ? ` ${data.omitted} left out to fit DingTalk's size limit.` : '';
  byId('digest-summary').textContent =
    `Week ${data.week.start} to ${data.week.end} · releases: ${counts.releases} · Q&A: ${counts.faqs} · reading: ${counts.readings} · ` +
    `events: ${counts.events} (counted from ${data.eventsFrom}).${omitted}`;
  byId('digest-title').textContent = data.title;
  // Rendered and sanitised on the server, as for replies.
  byId('digest-body').innerHTML = data.html;
  byId('digest-card').hidden = false;
}

/** Runs one request for a form, marking its result region busy meanwhile. */
function onSubmit(formId, regionId, summaryId, pending, run, onError) {
  const region = byId(regionId);
  // A flag rather than a disabled button: disabling the focused button would drop keyboard focus.
  let busy = false;
  byId(formId).addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    region.setAttribute('aria-busy', 'true');
    byId(summaryId).textContent = pending;
    try {
      await run();
    } catch (err) {
      byId(summaryId).textContent = `Failed: ${err.message}`;
      onError();
    } finally {
      region.setAttribute('aria-busy', 'false');
      busy = false;
    }
  });
}

// Earlier results stay until new ones replace them, so the live regions announce only what changed.
onSubmit('ask-form', 'ask-result', 'ask-summary', 'Asking…', async () => {
  const question = byId('question').value;
  showAnswer(await call('/playground/api/ask', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question }) }));
}, () => {
  byId('ask-details').hidden = true;
});

onSubmit('digest-form', 'digest-result', 'digest-summary', 'Composing…', async () => {
  const week = byId('week').value;
  showDigest(await call(`/playground/api/digest?week=${encodeURIComponent(week)}`));
}, () => {
  byId('digest-card').hidden = true;
});

const KIND_NAMES = { digest: 'digest', reminders: 'reminders', admin: 'admin notices' };

function showSubscriptions(data) {
  const list = byId('subscriptions-list');
  list.replaceChildren();
  byId('subscriptions-summary').textContent = data.groups.length === 0 ? 'No group is subscribed.' : `${data.groups.length} subscribed group(s).`;
  for (const group of data.groups) {
    const item = document.createElement('li');
    const posts = Object.entries(group.posts).map(([kind, since]) => `${KIND_NAMES[kind] || kind} since ${since}`);
    item.textContent = `${group.title || '(untitled)'} (${group.openConversationId}): ${posts.join(', ')}`;
    list.append(item);
  }
}

onSubmit('subscriptions-form', 'subscriptions-result', 'subscriptions-summary', 'Loading…', async () => {
  showSubscriptions(await call('/playground/api/subscriptions'));
}, () => {
  byId('subscriptions-list').replaceChildren();
});

// Today in the admin's calendar, as the week to start from.
const today = new Date();
const pad = (n) => String(n).padStart(2, '0');
byId('week').value = `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}`;
