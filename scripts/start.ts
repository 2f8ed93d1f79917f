/**
 * `npm start`: brings what is stale up to date (scripts/prepare.ts), then serves the app on
 * http://127.0.0.1:8787 with the embedded (local) adapters. PORT, HOST (default 127.0.0.1;
 * 0.0.0.0 to be reachable from a phone on the same network), DATA_DIR and PUBLIC_URL (the address
 * the posters' QR codes open; default http://<host>:<port>, for HOST=0.0.0.0 the LAN address)
 * configure it; `--no-build` skips the build step.
 *
 * After `npm ci --omit=dev` (a production install, no build tools) it serves what `npm run build`
 * made before and says what to do when something is missing.
 */
import path from 'node:path';
import campaign from '../templates/campaign.json';
import { checkOperatorContact } from '../config/operator-contact';
import { startLocalServer } from '../backend/runtime/local-server';
import { log } from '../backend/log';
import { ROOT } from './lib/builds';
import { publicUrlFrom } from './lib/public-url';
import { prepare } from './prepare';

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) prepare('start');
  checkOperatorContact(campaign.operator, { release: false, what: 'npm start' });
  const port = Number(process.env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${process.env.PORT}"`);
  const host = process.env.HOST || '127.0.0.1';
  const publicUrl = publicUrlFrom(process.env, host, port);
  const dataDir = path.resolve(ROOT, process.env.DATA_DIR ?? '.data');
  const server = await startLocalServer({ port, host, publicUrl, dataDir, staticDir: path.join(ROOT, 'dist', 'h5') });
  log('info', 'local runtime ready', { port: server.port, dataDir });
  console.log(`\n  我的深圳故事 is running at ${server.url}  (Ctrl+C to stop)\n  posters' QR codes open ${publicUrl ?? server.url}\n`);

  const shutdown = (signal: string) => {
    log('info', 'shutting down', { event: signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: Error) => {
  console.error(`\n  Could not start: ${err.message}\n`);
  process.exit(1);
});
