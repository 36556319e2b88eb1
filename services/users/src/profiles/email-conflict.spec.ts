import { describe, expect, it } from '@jest/globals';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { AppError } from '@np/contracts';
import { asEmailConflict } from './email-conflict.js';

const violation = (constraint: string) => new UniqueConstraintViolationException(Object.assign(new Error('duplicate key'), { constraint }));

describe('asEmailConflict', () => {
  it('maps a violation of the email index to email_taken (409)', () => {
    const mapped = asEmailConflict(violation('users_email_unique'));
    expect(mapped).toBeInstanceOf(AppError);
    expect((mapped as AppError).code).toBe('email_taken');
    expect((mapped as AppError).status).toBe(409);
  });

  it('leaves every other error alone', () => {
    const other = violation('users_pkey');
    expect(asEmailConflict(other)).toBe(other);
    const plain = new Error('boom');
    expect(asEmailConflict(plain)).toBe(plain);
  });
});
