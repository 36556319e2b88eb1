import { runModuleProcess } from '@np/runtime';
import { moduleService } from './index.js';

// The auth module alone, behind RabbitMQ (distributed and cluster shapes).
await runModuleProcess(moduleService);
