import { loadSettingsOrExit } from '@np/config';
import { runDistributed } from '@np/runtime';
import { startAuthService } from './index.js';
import { authSettingsSchema } from './settings.js';

// The auth module alone, behind RabbitMQ (distributed and cluster shapes).
const settings = loadSettingsOrExit(authSettingsSchema);
await runDistributed('auth', settings, (deps) => startAuthService({ deps, settings }));
