import { readdir } from 'node:fs/promises';

/**
 * Why the bot cannot start, in one line that names the setting and the value at fault; main.ts
 * prints it and exits with status 2, as it does for an invalid configuration.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** The listener's failure (the port in use, a privileged port, an address not on this machine), as the settings' fault. */
export function listenError(err: NodeJS.ErrnoException, port: number, host: string | undefined): StartupError {
  const at = `port ${port} (PORT / server.port)${host ? ` on ${host} (HOST / server.host)` : ''}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new StartupError(`cannot listen on ${at}: the port is in use by another program; stop it or set PORT to a free port`);
    case 'EACCES':
      return new StartupError(`cannot listen on ${at}: permission denied (ports below 1024 need privileges); set PORT to 1024 or above`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`cannot listen on ${at}: ${host ?? 'the host'} is not an address of this machine; set HOST to one, or unset it for every interface`);
    default:
      return new StartupError(`cannot listen on ${at}: ${err.code ?? err.message}`);
  }
}

/**
 * Every knowledge folder can be listed. Checked at start only: a folder that goes away later is
 * reported while the knowledge it served keeps answering.
 */
export async function checkKnowledgeFolders(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    try {
      await readdir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'it does not exist' : code === 'ENOTDIR' ? 'it is not a folder' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      throw new StartupError(`cannot read the knowledge folder ${dir} (KNOWLEDGE_DIR / knowledge.dirs): ${reason}`);
    }
  }
}
