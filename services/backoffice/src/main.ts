import { runModuleProcess } from '@np/runtime';
import { moduleService } from './index.js';

// The backoffice module alone, on RabbitMQ (distributed and cluster shapes).
await runModuleProcess(moduleService);
