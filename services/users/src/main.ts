import { loadSettingsOrExit } from '@np/config';
import { runDistributed } from '@np/runtime';
import { startUsersService } from './index.js';
import { usersSettingsSchema } from './settings.js';

// The users module alone, on RabbitMQ (distributed and cluster shapes).
const settings = loadSettingsOrExit(usersSettingsSchema);
await runDistributed('users', settings, (deps) => startUsersService({ deps, settings }));
