// `npm run bench` (second part): file bytes through the gateway against the S3 server itself, in
// the distributed shape (files on versitygw). In one run, on the same server and bucket:
//   1. 1 GiB uploaded through the gateway (multipart POST /v1/files, streamed) vs the same bytes
//      uploaded straight to S3 with the same multipart settings the files module uses (8 MiB parts,
//      two in flight): throughput of each and their ratio;
//   2. the same 1 GiB downloaded through the gateway (GET /v1/files/:id/content) vs a GetObject;
//   3. the gateway's peak resident memory over both (sampled from its /metrics every 100 ms);
//   4. BENCH_FILES_CONCURRENCY (100) concurrent uploads of 1 MB, BENCH_FILES_UPLOADS (1000) in all:
//      requests per second and p99 latency.
// The bytes are generated on the fly (a random 1 MiB block repeated), never held whole.
//
// Environment: BENCH_FILES_BYTES (1 GiB), BENCH_FILES_CONCURRENCY, BENCH_FILES_UPLOADS, and the
// servers of .local/servers.env (NP_DATABASE_URL, NP_AMQP_URL, NP_AMQP_MANAGEMENT_URL, NP_S3_*).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteBucketCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import autocannon from 'autocannon';
import { ROOT } from '../test/harness/child-process.js';
import { ADMIN, startPlatform } from '../test/harness/platform.js';

const MIB = 1024 * 1024;
const BYTES = Number(process.env.BENCH_FILES_BYTES ?? 1024 * MIB);
const CONCURRENCY = Number(process.env.BENCH_FILES_CONCURRENCY ?? 100);
const UPLOADS = Number(process.env.BENCH_FILES_UPLOADS ?? 1000);
const SMALL_BYTES = 1_000_000;
const PART_BYTES = 8 * MIB;
const AIMS = { ratio: 0.8, peakRssMb: 150 };
const BLOCK = randomBytes(MIB);

/** `total` bytes: the block repeated, as a stream. */
function bytes(total) {
  async function* chunks() {
    for (let sent = 0; sent < total; sent += BLOCK.length) yield total - sent >= BLOCK.length ? BLOCK : BLOCK.subarray(0, total - sent);
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** A multipart/form-data body around `total` streamed bytes, with its exact length. */
function multipart(total, name) {
  const boundary = `----npbench${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  async function* chunks() {
    yield head;
    yield* bytes(total);
    yield tail;
  }
  return { body: Readable.from(chunks(), { objectMode: false }), length: head.length + total + tail.length, contentType: `multipart/form-data; boundary=${boundary}` };
}

async function drain(stream) {
  let count = 0;
  for await (const chunk of stream) count += chunk.length;
  return count;
}

function mbPerSecond(total, ms) {
  return total / MIB / (ms / 1000);
}

/** Samples the gateway's resident memory from its /metrics; `stop()` answers the peak in MB. */
function rssSampler(opsUrl) {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const text = await fetch(`${opsUrl}/metrics`).then((response) => response.text(), () => '');
      const match = /^process_resident_memory_bytes(?:\{[^}]*\})?\s+(\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(text);
      if (match) peak = Math.max(peak, Number(match[1]));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak / MIB;
    },
  };
}

async function main() {
  const { NP_S3_URL: url, NP_S3_ACCESS_KEY: accessKey, NP_S3_SECRET_KEY: secretKey, NP_S3_REGION: region = 'us-east-1' } = process.env;
  if (!url || !accessKey || !secretKey) throw new Error('NP_S3_URL, NP_S3_ACCESS_KEY, NP_S3_SECRET_KEY are not set: source .local/servers.env');
  const bucket = `np-bench-${randomBytes(4).toString('hex')}`;
  console.log(`files throughput: ${BYTES / MIB} MiB through the gateway vs straight to S3 (${url}), distributed shape, bucket ${bucket}`);
  const platform = await startPlatform('distributed', {
    env: {
      LOG_LEVEL: 'warn',
      NP_MODULES: 'users,files',
      NP_S3_BUCKET: bucket,
      NP_FILES_MAX_BYTES: String(BYTES + MIB),
      // One request carries the whole GiB here; by default a request must arrive within 30 s.
      NP_HTTP_REQUEST_TIMEOUT_MS: '900000',
      NP_RATE_LIMIT_IP_PER_MINUTE: '100000000',
      NP_RATE_LIMIT_USER_PER_MINUTE: '100000000',
    },
    logDir: join(ROOT, '.local', 'bench-logs'),
  });
  const s3 = new S3Client({ endpoint: url, region, forcePathStyle: true, credentials: { accessKeyId: accessKey, secretAccessKey: secretKey }, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  try {
    const login = await fetch(`${platform.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    const token = (await login.json()).access_token;
    const auth = { authorization: `Bearer ${token}` };
    const idleRssMb = await rssSampler(platform.opsUrl).stop();
    let rss = rssSampler(platform.opsUrl);

    // Uploads: the gateway, then S3 directly with the files module's own multipart settings.
    const form = multipart(BYTES, 'gib.bin');
    let started = performance.now();
    const uploaded = await fetch(`${platform.url}/v1/files`, { method: 'POST', headers: { ...auth, 'content-type': form.contentType, 'content-length': String(form.length) }, body: form.body, duplex: 'half' });
    const gatewayUploadMs = performance.now() - started;
    const file = await uploaded.json();
    if (uploaded.status !== 201) throw new Error(`upload through the gateway: ${uploaded.status} ${JSON.stringify(file)}`);
    started = performance.now();
    await new Upload({ client: s3, params: { Bucket: bucket, Key: 'bench/direct.bin', Body: bytes(BYTES), ContentType: 'application/octet-stream' }, partSize: PART_BYTES, queueSize: 2 }).done();
    const directUploadMs = performance.now() - started;
    const uploadRssMb = await rss.stop();
    rss = rssSampler(platform.opsUrl);

    // Downloads.
    started = performance.now();
    const downloaded = await fetch(`${platform.url}/v1/files/${file.id}/content`, { headers: auth });
    const gatewayDownloaded = await drain(downloaded.body);
    const gatewayDownloadMs = performance.now() - started;
    started = performance.now();
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'bench/direct.bin' }));
    const directDownloaded = await drain(object.Body);
    const directDownloadMs = performance.now() - started;
    const downloadRssMb = await rss.stop();
    const peakRssMb = Math.max(uploadRssMb, downloadRssMb);
    if (gatewayDownloaded !== BYTES || directDownloaded !== BYTES) throw new Error(`short download: ${gatewayDownloaded} / ${directDownloaded} of ${BYTES}`);

    // Many small uploads at once.
    const small = multipart(SMALL_BYTES, 'small.bin');
    const smallBody = Buffer.concat(await small.body.toArray());
    const load = await autocannon({
      url: `${platform.url}/v1/files`,
      method: 'POST',
      connections: CONCURRENCY,
      amount: UPLOADS,
      headers: { ...auth, 'content-type': small.contentType },
      body: smallBody,
      timeout: 60,
    });
    const rows = [
      [`upload ${BYTES / MIB} MiB`, mbPerSecond(BYTES, gatewayUploadMs), mbPerSecond(BYTES, directUploadMs)],
      [`download ${BYTES / MIB} MiB`, mbPerSecond(BYTES, gatewayDownloadMs), mbPerSecond(BYTES, directDownloadMs)],
    ];
    console.log('\n| transfer | through the gateway (MiB/s) | straight to S3 (MiB/s) | ratio (aim ≥ 0.8) |\n| --- | ---: | ---: | ---: |');
    for (const [what, gateway, direct] of rows) console.log(`| ${what} | ${gateway.toFixed(1)} | ${direct.toFixed(1)} | ${(gateway / direct).toFixed(2)} |`);
    console.log(`\ngateway RSS: ${idleRssMb.toFixed(0)} MB before, peak ${uploadRssMb.toFixed(0)} MB uploading, ${downloadRssMb.toFixed(0)} MB downloading (aim ≤ ${AIMS.peakRssMb})`);
    const ok = load.non2xx === 0 && load.errors === 0 ? 'all 201' : `${load.non2xx} non-2xx, ${load.errors} errors`;
    console.log(`${UPLOADS} uploads of 1 MB, ${CONCURRENCY} at once: ${load.requests.average.toFixed(1)} req/s, p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms (${ok})`);
    const failed = rows.some(([, gateway, direct]) => gateway / direct < AIMS.ratio) || peakRssMb > AIMS.peakRssMb || load.non2xx > 0 || load.errors > 0;
    if (failed) console.log('(an aim is missed; see docs/benchmarks.md)');
  } finally {
    await platform.close();
    await emptyAndDelete(s3, bucket).catch((error) => console.error(`  the bucket ${bucket} could not be removed: ${error.message}`));
    s3.destroy();
  }
}

/** The run's bucket and everything in it (a few GiB), so runs do not pile up on the S3 server's disk. */
async function emptyAndDelete(s3, bucket) {
  for (;;) {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
    const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key }));
    if (keys.length === 0) break;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

await main();
