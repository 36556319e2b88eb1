import { AppError } from '@np/contracts';

/** Extracts the token from an `Authorization: Bearer <token>` header. */
export function bearerTokenFrom(header: string | undefined): string {
  if (header === undefined || header === '') throw new AppError('token_missing', 'An access token is required (Authorization: Bearer <token>).');
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!match?.[1]) throw new AppError('token_invalid', 'The Authorization header must be "Bearer <token>".');
  return match[1];
}
