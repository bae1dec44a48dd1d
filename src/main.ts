// Start-up only: config → database → app → listen; graceful stop on SIGTERM/SIGINT.
import { ConfigError, loadConfig, loadDotEnv } from './config/config.ts';
import { createLogger } from './observability/logging.ts';
import { createRekey } from './server/runtime.ts';
import { releaseStartupGarbage } from './server/startup-garbage.ts';
import { startupWarnings } from './server/startup-warnings.ts';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  // JSON lines for log collectors; readable lines on a developer's terminal.
  const log = createLogger({ level: config.logLevel, format: config.env === 'development' ? 'pretty' : 'json' });
  for (const warning of startupWarnings(config)) log.warn(warning);
  if (!process.env.UV_THREADPOOL_SIZE) {
    log.warn('UV_THREADPOOL_SIZE is unset; `npm start` sets it to the core count so bcrypt cannot starve other work.');
  }
  const rekey = await createRekey(config, { log });
  await releaseStartupGarbage();
  let stopping = false;
  let listening: Promise<string> | undefined;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: draining (not ready, no new connections, in-flight requests finish), then stopping.`);
    // The drain cuts connections at SHUTDOWN_TIMEOUT; this is the last resort if closing itself hangs.
    const force = setTimeout(() => {
      log.error('Shutdown took too long; exiting.');
      process.exit(1);
    }, config.shutdownTimeoutMs + 10_000);
    force.unref();
    // A signal that arrives while the port opens waits for it, so that the drain closes it too.
    await listening?.catch(() => undefined);
    await rekey.close();
    log.info('Stopped.');
  };
  // Installed before the port opens: whoever reads "listening" may signal at once, and a signal
  // without a handler kills the process mid-request. `on`, not `once`: a repeated signal (npm
  // forwards each one) must not fall back to the default action mid-drain; `stopping` makes it a no-op.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  listening = rekey.listen();
  const url = await listening;
  log.info(`Rekey listening on ${url}/graphql (${config.databaseUrl ? 'PostgreSQL' : `embedded database in ${config.dataDir}/`})`);
}

main().catch((error: unknown) => {
  // One clear line; configuration and connection problems need no stack trace.
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  console.error(`Rekey failed to start: ${message}`);
  process.exit(1);
});
