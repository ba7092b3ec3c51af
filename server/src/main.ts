import { buildApp } from './app.js';
import { bootstrapEmpty } from './bootstrap.js';
import { openDatabase } from './db/database.js';
import { migrate } from './db/migrate.js';
import { loadDemo } from './demo/load.js';
import { startMqtt } from './modules/ingest/routes.js';
import { loadConfig } from './platform/config.js';

const started = Date.now();
const config = loadConfig();
const database = await openDatabase(config);
await migrate(database.db as never);
const app = await buildApp({ config, database });

if (config.demo) {
  const accounts = await loadDemo(database.db, config);
  if (accounts) {
    app.log.info(`demo data loaded: ${accounts.length} accounts, written to ${config.dataDir}/demo-accounts.json`);
    printDemoAccounts(accounts);
  }
} else {
  const admin = await bootstrapEmpty(database.db);
  if (admin) {
    console.log(`\n  初始系统管理员 / initial administrator: ${admin.username} / ${admin.password}`);
    console.log('  (shown once; change it at first login)\n');
  }
}

app.platform.sweeper.start();
await app.listen({ port: config.port, host: config.host });
// Devices over MQTT when MQTT_URL is set (stopped by app.close through the ingest module's onClose hook).
await startMqtt(app);
app.log.info(`safe-campus ready on http://localhost:${config.port} (${database.engine}) in ${Date.now() - started} ms`);

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info(`${signal}: shutting down`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  try {
    await app.close();
    await database.close();
  } finally {
    process.exit(0);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

function printDemoAccounts(accounts: { username: string; password: string; role: string; orgName: string }[]): void {
  const shown = new Set<string>();
  console.log('\n  演示账号 / demo logins (http://localhost:%d):', config.port);
  for (const account of accounts) {
    if (shown.has(account.role)) continue;
    shown.add(account.role);
    console.log(
      `    ${account.role.padEnd(20)} ${account.username.padEnd(24)} ${account.password}   ${account.orgName}`,
    );
  }
  console.log(`  (all ${accounts.length} accounts in ${config.dataDir}/demo-accounts.json)\n`);
}
