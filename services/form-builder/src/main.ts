import { runModuleProcess } from '@np/runtime';
import { moduleService } from './index.js';

// The form-builder module alone, on RabbitMQ (distributed and cluster shapes).
await runModuleProcess(moduleService);
