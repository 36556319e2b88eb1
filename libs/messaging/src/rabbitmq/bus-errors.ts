import type { BusModuleName } from '@np/modules';
import { AppError } from '@np/contracts';

export const busUnavailable = (why: string): AppError => new AppError('bus_unavailable', `The message bus is unavailable: ${why}.`);

export function moduleTimeout(module: BusModuleName, timeoutMs: number): AppError {
  return new AppError('module_timeout', `The ${module} module did not answer within ${timeoutMs} ms.`);
}

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
