import { createHash } from 'node:crypto';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { ServerCalls } from '../provisioner.js';
import { S3ErrorAnswer, unavailable } from './object-store-errors.js';
import type { ObjectStoreServer } from './object-store-spec.js';

/** versitygw's account roles: `user` reaches only buckets it owns (or is granted) and creates none. */
export type VersitygwRole = 'user' | 'userplus' | 'admin';

export interface VersitygwUser {
  access: string;
  secret: string;
  role: VersitygwRole;
}

export interface VersitygwAdminOptions {
  requestTimeoutMs?: number;
}

interface Route {
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

const xml = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Accounts' });
const xmlBuilder = new XMLBuilder({});

/**
 * versitygw's admin API (s3api/admin-router.go in versitygw): `PATCH` routes on the S3 port,
 * signed with SigV4 for service `s3` by an admin account, bodies and answers in XML, errors as
 * S3 error documents (`XAdminUserExists`, `XAdminUserNotFound`...). Users live in the IAM backend
 * the server was started with (`--iam-dir` for its internal one).
 */
export class VersitygwAdmin {
  private readonly base: URL;
  private readonly signer: SignatureV4;
  private readonly timeoutMs: number;

  constructor(
    server: ObjectStoreServer,
    private readonly calls: ServerCalls,
    options: VersitygwAdminOptions = {},
  ) {
    this.base = new URL(server.url);
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.signer = new SignatureV4({
      service: 's3',
      region: server.region,
      credentials: { accessKeyId: server.accessKey, secretAccessKey: server.secretKey },
      sha256: Sha256,
      // S3 signs the path as sent, not escaped a second time.
      uriEscapePath: false,
    });
  }

  /** `PATCH /list-users`: every account with its secret and role (there is no route for one user). */
  async listUsers(): Promise<VersitygwUser[]> {
    const answer = await this.call('reads', 'list users', { path: '/list-users' });
    const parsed = xml.parse(answer) as { ListUserAccountsResult?: { Accounts?: { Access?: string; Secret?: string; Role?: string }[] } | '' };
    const accounts = (parsed.ListUserAccountsResult || {}).Accounts ?? [];
    return accounts.map((account) => ({ access: account.Access ?? '', secret: account.Secret ?? '', role: (account.Role ?? 'user') as VersitygwRole }));
  }

  /** `PATCH /create-user` with an `Account` document. */
  async createUser(user: VersitygwUser): Promise<void> {
    const body = xmlBuilder.build({ Account: { Access: user.access, Secret: user.secret, Role: user.role } });
    await this.call('writes', `create user ${user.access}`, { path: '/create-user', body });
  }

  /** `PATCH /update-user?access=` with the properties to change. */
  async updateUser(user: VersitygwUser): Promise<void> {
    const body = xmlBuilder.build({ MutableProps: { Secret: user.secret, Role: user.role } });
    await this.call('writes', `update user ${user.access}`, { path: '/update-user', query: { access: user.access }, body });
  }

  /** `PATCH /delete-user?access=`; deleting a user that does not exist succeeds. */
  async deleteUser(access: string): Promise<void> {
    await this.call('writes', `delete user ${access}`, { path: '/delete-user', query: { access } });
  }

  /**
   * `PATCH /<bucket>/create` with header `x-vgw-owner`: the bucket is created owned by that user,
   * with the given tags (S3's `CreateBucketConfiguration`), in one request.
   */
  async createBucket(bucket: string, owner: string, tags: readonly { Key: string; Value: string }[]): Promise<void> {
    const body = xmlBuilder.build({ CreateBucketConfiguration: { Tags: { Tag: tags.map(({ Key, Value }) => ({ Key, Value })) } } });
    await this.call('writes', `create bucket ${bucket}`, { path: `/${encodeURIComponent(bucket)}/create`, headers: { 'x-vgw-owner': owner }, body });
  }

  /** `PATCH /change-bucket-owner?bucket=&owner=`. */
  async changeBucketOwner(bucket: string, owner: string): Promise<void> {
    await this.call('writes', `change owner of ${bucket}`, { path: '/change-bucket-owner', query: { bucket, owner } });
  }

  private async call(kind: keyof ServerCalls, action: string, route: Route): Promise<string> {
    const body = route.body ?? '';
    const query = route.query ?? {};
    const signed = await this.signer.sign({
      method: 'PATCH',
      protocol: this.base.protocol,
      hostname: this.base.hostname,
      port: this.base.port === '' ? undefined : Number(this.base.port),
      path: route.path,
      query,
      headers: {
        host: this.base.host,
        'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
        ...(body ? { 'content-type': 'application/xml' } : {}),
        ...route.headers,
      },
      body,
    });
    // fetch sets Host itself, to the same value that was signed.
    const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
    const url = new URL(route.path, this.base);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    this.calls[kind] += 1;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { method: 'PATCH', headers, body: body || undefined, signal: AbortSignal.timeout(this.timeoutMs) });
      text = await response.text();
    } catch (error) {
      throw unavailable(this.base.origin, action, error);
    }
    if (response.ok) return text;
    throw errorAnswer(response.status, text);
  }
}

/** The server's error document as an S3ErrorAnswer (code `XAdminUserExists`, `AccessDenied`...). */
function errorAnswer(status: number, text: string): S3ErrorAnswer {
  let error: { Code?: string; Message?: string } | undefined;
  try {
    error = (xml.parse(text) as { Error?: { Code?: string; Message?: string } }).Error;
  } catch {
    error = undefined;
  }
  return new S3ErrorAnswer(error?.Code ?? `HTTP${status}`, status, error?.Message ?? (text.trim().slice(0, 200) || `status ${status}`));
}
