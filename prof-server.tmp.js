// Starts Keyhold like bench/server.ts on kh_dev, for profiling with --cpu-prof.
require('reflect-metadata');
const { createApp } = require('/work/main/dist/src/app.factory');
const { createRootLogger } = require('/work/main/dist/src/common/logging/logger');
const { loadConfig } = require('/work/main/dist/src/config/app-config');
const pino = require('/work/main/node_modules/pino');
(async () => {
  const config = loadConfig({ NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '3901', DATA_DIR: '/tmp/prof/data', LOG_LEVEL: process.env.LOG_LEVEL || 'warn', BOOTSTRAP_ADMIN_EMAIL: 'admin@example.test', BOOTSTRAP_ADMIN_PASSWORD: 'admin-password-123' });
  const logger = createRootLogger(config.logLevel, process.env.SYNC ? undefined : pino.destination({ dest: 1, sync: false }));
  const app = await createApp({ config, databaseUrl: 'postgres://postgres@127.0.0.1:5432/kh_dev', logger });
  await app.listen({ port: 3901, host: '127.0.0.1' });
  process.stderr.write('ready\n');
  process.on('SIGINT', async () => { await app.close(); process.exit(0); });
})();
