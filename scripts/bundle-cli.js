// Bundles the command line (src/cli.ts and everything it imports) into one file, dist/cli.js:
// Node 20 has no compile cache, and opening, resolving and compiling some four hundred modules one
// by one took about 0.3 s of every `npm run cli` (measured: `help` 0.47 s unbundled, 0.21 s
// bundled). The bot itself is not bundled: its answering worker and log transports are files of
// their own.
//
//   node scripts/bundle-cli.js [--outfile PATH]   (default dist/cli.js; the tests bundle elsewhere)
import { build } from 'esbuild';
import { URL, fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { outfile: { type: 'string', default: 'dist/cli.js' } } });

await build({
  absWorkingDir: root,
  entryPoints: ['src/cli.ts'],
  outfile: values.outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // A native addon: loaded by Node from node_modules, as it is by the bot.
  external: ['@node-rs/jieba'],
  // The CommonJS packages inside an ES module bundle still look for these.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      "import { dirname as __dirnameOf } from 'node:path';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      'const __dirname = __dirnameOf(__filename);',
    ].join(' '),
  },
  logLevel: 'warning',
});
