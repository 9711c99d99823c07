import express, { type Express } from 'express';
import type { KnowledgeLoad } from '../knowledge/load-knowledge.js';
import type { EntryKind } from '../knowledge/entry.js';
import { ENTRY_KINDS } from '../knowledge/entry.js';

export interface HttpDeps {
  /** The knowledge currently served; undefined until the first load finishes. */
  knowledge: () => KnowledgeLoad | undefined;
}

/** The Express layer: routes only; everything it needs is passed in. */
export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res) => {
    const knowledge = deps.knowledge();
    if (!knowledge) {
      res.status(503).json({ status: 'loading' });
      return;
    }
    const entries = Object.fromEntries(ENTRY_KINDS.map((k) => [k, 0])) as Record<EntryKind, number>;
    for (const entry of knowledge.entries) entries[entry.kind]++;
    const errors = knowledge.problems.filter((p) => p.severity === 'error');
    res.json({
      status: 'ready',
      files: knowledge.files.length,
      entries,
      errors: errors.map((p) => `${p.file}:${p.line}: ${p.message}`),
    });
  });

  return app;
}
