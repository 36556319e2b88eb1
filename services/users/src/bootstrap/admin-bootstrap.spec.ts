import { describe, expect, it, jest } from '@jest/globals';
import { AppError } from '@np/contracts';
import { createLogger } from '@np/observability';
import { backoffMs, bootstrapAdmin } from './admin-bootstrap.js';
import type { UserRecord } from '../profiles/user-record.js';
import type { NewUser, UsersService } from '../profiles/users.service.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const options = { email: 'root@example.com', password: 'password1', logger };

function fakeService(provision: (user: NewUser, password: string | undefined) => Promise<UserRecord>, existing: UserRecord | null = null) {
  const service = { findByEmail: jest.fn(() => Promise.resolve(existing)), provision: jest.fn(provision) };
  return { service, asService: service as unknown as UsersService };
}

const record = (): UserRecord => ({ id: 'id', email: 'root@example.com', displayName: 'Administrator', roles: ['admin'], createdAt: new Date(), updatedAt: new Date() });

describe('bootstrapAdmin', () => {
  it('does nothing when the admin exists', async () => {
    const { service, asService } = fakeService(() => Promise.resolve(record()), record());
    expect(await bootstrapAdmin(asService, options)).toBe('exists');
    expect(service.provision).not.toHaveBeenCalled();
  });

  it('creates the admin with its password and the admin role', async () => {
    const { service, asService } = fakeService(() => Promise.resolve(record()));
    expect(await bootstrapAdmin(asService, options)).toBe('created');
    expect(service.provision).toHaveBeenCalledWith({ email: 'root@example.com', displayName: 'Administrator', roles: ['admin'] }, 'password1');
  });

  it('treats losing the race to another replica as success', async () => {
    const { asService } = fakeService(() => Promise.reject(new AppError('email_taken', 'taken')));
    expect(await bootstrapAdmin(asService, options)).toBe('exists');
  });

  it('retries while auth is unavailable, then succeeds', async () => {
    let calls = 0;
    const { service, asService } = fakeService(() =>
      ++calls < 3 ? Promise.reject(new AppError('module_unavailable', 'not yet')) : Promise.resolve(record()),
    );
    expect(await bootstrapAdmin(asService, options)).toBe('created');
    expect(service.provision).toHaveBeenCalledTimes(3);
  });

  it('gives up at the deadline', async () => {
    const { asService } = fakeService(() => Promise.reject(new AppError('module_timeout', 'slow')));
    expect(await bootstrapAdmin(asService, { ...options, deadlineMs: 300 })).toBe('gave-up');
  });

  it('stops at once on an error retrying cannot fix', async () => {
    const { service, asService } = fakeService(() => Promise.reject(new AppError('validation_failed', 'bad password')));
    expect(await bootstrapAdmin(asService, options)).toBe('failed');
    expect(service.provision).toHaveBeenCalledTimes(1);
  });

  it('stops when aborted', async () => {
    const abort = new AbortController();
    const { asService } = fakeService(() => Promise.reject(new AppError('module_unavailable', 'not yet')));
    const outcome = bootstrapAdmin(asService, { ...options, signal: abort.signal });
    abort.abort();
    expect(await outcome).toBe('aborted');
  });

  it('backs off exponentially up to a cap', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(backoffMs)).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000]);
  });
});
