import { S3Client } from '@aws-sdk/client-s3';

export interface S3Connection {
  url: string;
  region: string;
  accessKey: string;
  secretKey: string;
}

/**
 * The AWS SDK v3 client for any S3 server: path-style addressing (no DNS name per bucket on a
 * self-hosted server), and checksums only where S3 requires them (some servers refuse the
 * SDK's default ones on streamed and presigned bodies).
 */
export function s3ClientConfig(connection: S3Connection) {
  return {
    endpoint: connection.url,
    region: connection.region,
    forcePathStyle: true,
    credentials: { accessKeyId: connection.accessKey, secretAccessKey: connection.secretKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
  } as const;
}

export function createS3Client(connection: S3Connection): S3Client {
  return new S3Client(s3ClientConfig(connection));
}
