// Preload (node --import ./test/helpers/record-imports.js): records the URL of every module
// imported through the ESM loader in globalThis.recordedImports, for tests of what a start loads.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
globalThis.recordedImports = new Set();
port1.on('message', (url) => globalThis.recordedImports.add(url));
port1.unref();
register('./record-imports-hooks.js', import.meta.url, { data: { port: port2 }, transferList: [port2] });
