import { randomBytes } from 'node:crypto';

/**
 * Where the real servers started by `tools/servers-up.sh` listen. Integration suites read these
 * instead of hard-coding addresses, so CI and a developer's machine can move the ports.
 */
export function testDatabaseUrl(database?: string): string {
  const url = process.env.NP_DATABASE_URL ?? 'postgresql://np:np@127.0.0.1:17432/np';
  if (!database) return url;
  // The same server and administrator, on another database.
  const other = new URL(url);
  other.pathname = `/${encodeURIComponent(database)}`;
  return other.toString();
}

export function testAmqpUrl(vhost = 'np'): string {
  const base = new URL(process.env.NP_AMQP_URL ?? 'amqp://np:np@127.0.0.1:17672/np');
  base.pathname = `/${encodeURIComponent(vhost)}`;
  return base.toString();
}

export function testAmqpManagementUrl(): string {
  return process.env.NP_AMQP_MANAGEMENT_URL ?? 'http://np:np@127.0.0.1:17673';
}

/** A name no other suite or run uses: `<prefix>_<random>`, valid as schema, database or vhost name. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/**
 * The S3 server of `tools/servers-up.sh` (versitygw) and its root account. Its keys are generated
 * per checkout, so there is no default: source `.local/servers.env` first.
 */
export function testS3Server(): { url: string; accessKey: string; secretKey: string; region: string } {
  const { NP_S3_URL: url, NP_S3_ACCESS_KEY: accessKey, NP_S3_SECRET_KEY: secretKey } = process.env;
  if (!url || !accessKey || !secretKey) throw new Error('NP_S3_URL, NP_S3_ACCESS_KEY and NP_S3_SECRET_KEY are not set: run tools/servers-up.sh and source .local/servers.env');
  return { url, accessKey, secretKey, region: process.env.NP_S3_REGION ?? 'us-east-1' };
}
