import { describe, expect, it } from '@jest/globals';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { ServerUnavailableError } from '../provisioner.js';
import { S3ErrorAnswer, s3ErrorCode, unavailable } from './object-store-errors.js';

describe('object store errors', () => {
  it("keeps the server's code and message", () => {
    const answer = new S3ErrorAnswer('XAdminUserNotFound', 404, 'No user exists with the provided access key ID.');
    expect(s3ErrorCode(answer)).toBe('XAdminUserNotFound');
    const error = unavailable('http://127.0.0.1:17470', 'update user AK', answer);
    expect(error).toBeInstanceOf(ServerUnavailableError);
    expect(error.kind).toBe('objectStore');
    expect(error.message).toBe('object store at http://127.0.0.1:17470 (update user AK): XAdminUserNotFound (404): No user exists with the provided access key ID.');
  });

  it("reads the code of the SDK's exceptions", () => {
    const denied = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });
    expect(s3ErrorCode(denied)).toBe('AccessDenied');
    expect(unavailable('http://s3', 'GetBucketAcl b', denied).message).toBe('object store at http://s3 (GetBucketAcl b): AccessDenied (403): Access Denied');
  });

  it('names what the connection said when there was no answer', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    expect(s3ErrorCode(refused)).toBeUndefined();
    expect(unavailable('http://127.0.0.1:1', 'list users', refused).message).toBe('object store at http://127.0.0.1:1 (list users): connect ECONNREFUSED 127.0.0.1:1');
  });

  it('passes a ServerUnavailableError through unchanged', () => {
    const original = new ServerUnavailableError('objectStore', 'already said');
    expect(unavailable('http://s3', 'x', original)).toBe(original);
  });
});
