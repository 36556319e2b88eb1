import type { EventEnvelope, ReplyEnvelope, RequestEnvelope } from '../envelopes.js';

/** Envelopes travel as UTF-8 JSON. */
export function encode(value: RequestEnvelope | ReplyEnvelope | EventEnvelope): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function parseObject(content: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(content.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The shape check is shallow on purpose: bodies are validated against the contracts by the handler. */
export function decodeRequest(content: Buffer): RequestEnvelope | undefined {
  const value = parseObject(content);
  if (!value || typeof value.id !== 'string' || typeof value.pattern !== 'string') return undefined;
  return value as unknown as RequestEnvelope;
}

export function decodeReply(content: Buffer): ReplyEnvelope | undefined {
  const value = parseObject(content);
  if (!value || typeof value.ok !== 'boolean') return undefined;
  return value as unknown as ReplyEnvelope;
}

export function decodeEvent(content: Buffer): EventEnvelope | undefined {
  const value = parseObject(content);
  if (!value || typeof value.id !== 'string' || typeof value.name !== 'string') return undefined;
  return value as unknown as EventEnvelope;
}
