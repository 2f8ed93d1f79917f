import os from 'node:os';

/** Hosts that mean "every interface": not an address a phone can open. */
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/** The machine's first LAN IPv4 address (what a phone on the same Wi-Fi reaches), if any. */
export function lanAddress(interfaces = os.networkInterfaces()): string | undefined {
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/**
 * The address the local runtime's QR codes open (backend/adapters/local/platform-services.ts):
 * PUBLIC_URL when set (an http(s) origin, optionally with a path, e.g. behind a proxy); for a
 * wildcard HOST the machine's LAN address; otherwise undefined = the server's own
 * http://<host>:<port>.
 */
export function publicUrlFrom(env: NodeJS.ProcessEnv, host: string, port: number, interfaces = os.networkInterfaces()): string | undefined {
  const given = env.PUBLIC_URL?.trim();
  if (given) {
    let url: URL;
    try {
      url = new URL(given);
    } catch {
      throw new Error(`PUBLIC_URL must be an http(s) address like http://192.168.1.20:8787, got "${given}"`);
    }
    if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username || url.password) {
      throw new Error(`PUBLIC_URL must be an http(s) address without query, fragment or credentials, like http://192.168.1.20:8787, got "${given}"`);
    }
    return url.href.replace(/\/+$/, '');
  }
  if (WILDCARD.has(host)) return `http://${lanAddress(interfaces) ?? '127.0.0.1'}:${port}`;
  return undefined;
}
