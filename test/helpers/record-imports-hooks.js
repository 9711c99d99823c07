// Module hooks for record-imports.js (plain JavaScript: the hooks thread loads it before any
// TypeScript loader): each resolved URL goes back to the main thread.
let port;

export function initialize(data) {
  port = data.port;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  port?.postMessage(resolved.url);
  return resolved;
}
