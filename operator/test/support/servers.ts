import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DeleteBucketCommand, DeleteObjectsCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import pg from 'pg';
import { testAmqpManagementUrl, testDatabaseUrl, testS3Server } from '@np/testing';
import { VersitygwAdmin } from '../../src/infrastructure/object-store/index.js';
import { handAdmin, testKeycloakSettings } from '../infrastructure/support/keycloak.js';
import { repoRoot } from './tools.js';

/**
 * The servers of tools/servers-up.sh as a person (or a module) sees them, for the operator's
 * cluster suites: what exists there, what a tenant's credentials can open, and hands that delete
 * things the operator made.
 */

/** The RabbitMQ management API as its administrator; undefined on 404. */
export async function management(path: string, method = 'GET'): Promise<unknown> {
  const admin = new URL(testAmqpManagementUrl());
  const auth = Buffer.from(`${decodeURIComponent(admin.username)}:${decodeURIComponent(admin.password)}`).toString('base64');
  const response = await fetch(`${admin.protocol}//${admin.host}/api${path}`, { method, headers: { authorization: `Basic ${auth}` } });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? (JSON.parse(text) as unknown) : null;
}

export async function vhostExists(vhost: string): Promise<boolean> {
  return (await management(`/vhosts/${encodeURIComponent(vhost)}`)) !== undefined;
}

export async function rabbitUserExists(username: string): Promise<boolean> {
  return (await management(`/users/${encodeURIComponent(username)}`)) !== undefined;
}

/** A query as the servers' administrator (NP_DATABASE_URL), on `database` when given. */
export async function adminQuery<T extends pg.QueryResultRow>(sql: string, values: unknown[] = [], database?: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: testDatabaseUrl(database) });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

export async function databaseExists(database: string): Promise<boolean> {
  return (await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [database])).length === 1;
}

export async function rolesLike(prefix: string): Promise<string[]> {
  const rows = await adminQuery<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE $1 || '%' ORDER BY rolname", [prefix]);
  return rows.map(({ rolname }) => rolname);
}

/** Runs `work` connected with a module's NP_DATABASE_URL, as the module would. */
export async function asModule<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const url = new URL(databaseUrl);
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function s3Client(credentials?: { accessKeyId: string; secretAccessKey: string }, endpoint?: string): S3Client {
  const server = testS3Server();
  return new S3Client({
    endpoint: endpoint ?? server.url,
    region: server.region,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: credentials ?? { accessKeyId: server.accessKey, secretAccessKey: server.secretKey },
  });
}

export async function bucketExists(bucket: string): Promise<boolean> {
  const root = s3Client();
  try {
    const { Buckets = [] } = await root.send(new ListBucketsCommand({}));
    return Buckets.some(({ Name }) => Name === bucket);
  } finally {
    root.destroy();
  }
}

export async function putText(client: S3Client, bucket: string, key: string, text: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text }));
}

export async function getText(client: S3Client, bucket: string, key: string): Promise<string> {
  const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await Body?.transformToString()) ?? '';
}

/** Empties and deletes a bucket as the root account, as an administrator would by hand. */
export async function deleteBucketByHand(bucket: string): Promise<void> {
  const root = s3Client();
  try {
    const { Contents = [] } = await root.send(new ListObjectsV2Command({ Bucket: bucket }));
    if (Contents.length) await root.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: Contents.map(({ Key }) => ({ Key })) } }));
    await root.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    root.destroy();
  }
}

export async function objectStoreUserExists(accessKey: string): Promise<boolean> {
  const admin = new VersitygwAdmin(testS3Server(), { reads: 0, writes: 0 });
  return (await admin.listUsers()).some(({ access }) => access === accessKey);
}

export function keycloakHand(): Promise<KeycloakAdminClient> {
  return handAdmin(testKeycloakSettings());
}

export async function realmExists(realm: string): Promise<boolean> {
  return Boolean(await (await keycloakHand()).realms.findOne({ realm }));
}

/**
 * Stops or starts the versitygw of tools/servers-up.sh, the real server going away and coming
 * back. Its port comes from NP_S3_URL, so the script acts on the server the suites use.
 */
export function versitygw(action: 'start' | 'stop'): void {
  const port = new URL(testS3Server().url).port;
  execFileSync('bash', [join(repoRoot, 'tools/versitygw.sh'), action], { env: { ...process.env, NP_S3_PORT: port }, stdio: 'pipe' });
}
