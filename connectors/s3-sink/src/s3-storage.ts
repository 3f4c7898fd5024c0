import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type ObjectCannedACL,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { ConnectError, RetriableError, type ParsedConfig } from '@tributary/connect-api';
import type { MemoryBudget, SpillBuffer } from './spill-buffer.js';

/** The S3 side of the sink: one client, the bucket, and how uploads are made. */
export class S3Storage {
  readonly client: S3Client;
  readonly bucket: string;
  readonly partSize: number;
  private readonly where: string;
  private readonly extra: { ACL?: ObjectCannedACL; ServerSideEncryption?: ServerSideEncryption; SSEKMSKeyId?: string };

  constructor(config: ParsedConfig) {
    this.bucket = config.string('s3.bucket.name');
    this.partSize = config.int('s3.part.size');
    const endpoint = config.optionalString('store.url');
    this.where = endpoint ?? `AWS region ${config.string('s3.region')}`;
    const keyId = config.optionalString('aws.access.key.id');
    const secret = config.password('aws.secret.access.key');
    this.client = new S3Client({
      region: config.string('s3.region'),
      ...(endpoint ? { endpoint, forcePathStyle: config.bool('s3.path.style.access.enabled') } : {}),
      ...(keyId ? { credentials: { accessKeyId: keyId, secretAccessKey: secret ?? '' } } : {}),
      maxAttempts: config.int('s3.part.retries') + 1,
      // Without timeouts a server that vanished mid-request would hang put() instead of retrying.
      requestHandler: { connectionTimeout: 5000, requestTimeout: 60_000 },
    });
    const acl = config.optionalString('s3.acl.canned');
    const sse = config.optionalString('s3.ssea.name');
    const kms = config.optionalString('s3.sse.kms.key.id');
    this.extra = {
      ...(acl ? { ACL: acl as ObjectCannedACL } : {}),
      ...(sse ? { ServerSideEncryption: sse as ServerSideEncryption } : {}),
      ...(kms ? { SSEKMSKeyId: kms } : {}),
    };
  }

  /** Fails with an error that says what to fix when the bucket is missing or the credentials are wrong. */
  async checkBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw this.explain(err, `checking bucket ${this.bucket}`);
    }
  }

  /** A new object, uploaded in parts as its buffer fills. Nothing is sent before the first part. */
  object(key: string, budget: MemoryBudget): S3Object {
    return new S3Object(this, key, budget.buffer());
  }

  /** @internal */ async send<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw this.explain(err, what);
    }
  }

  /** @internal */ get objectOptions() {
    return this.extra;
  }

  /**
   * S3 failures as the runtime understands them: wrong bucket or credentials are fatal (retrying
   * cannot help, and the status should say what to fix); anything else (the server away, 5xx,
   * throttling, timeouts) is retriable.
   */
  explain(err: unknown, what: string): ConnectError {
    const e = err as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    // HEAD requests carry no error body, so the SDK names those errors "Unknown"/"NotFound" only.
    const code = e.name === 'Unknown' ? '' : (e.name ?? e.Code ?? '');
    const message = e.message === 'UnknownError' ? '' : (e.message ?? '');
    const detail = [code, status ? `HTTP ${status}` : '', message !== code ? message : ''].filter(Boolean).join(', ');
    if (code === 'NoSuchBucket' || (code === 'NotFound' && what.startsWith('checking bucket'))) {
      return new ConnectError(
        `S3 bucket "${this.bucket}" does not exist at ${this.where}. Create it, or fix s3.bucket.name / store.url.`,
        { code: 'S3_NO_SUCH_BUCKET', cause: err },
      );
    }
    if (
      status === 403 ||
      status === 401 ||
      ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden', 'CredentialsProviderError'].includes(
        code,
      )
    ) {
      return new ConnectError(
        `S3 refused ${what} at ${this.where}: ${detail}. Check aws.access.key.id / aws.secret.access.key (or the AWS_* environment) and the bucket policy.`,
        { code: 'S3_ACCESS_DENIED', cause: err },
      );
    }
    if (code === 'NoSuchUpload') {
      return new ConnectError(
        `S3 lost multipart upload while ${what} (${detail}). Restart the task: it resumes from the last committed offsets and rewrites the same objects.`,
        { code: 'S3_NO_SUCH_UPLOAD', cause: err },
      );
    }
    return new RetriableError(`S3 failed ${what} at ${this.where}: ${detail || String(err)}`, {
      code: 'S3_UNAVAILABLE',
      cause: err,
    });
  }
}

/**
 * One object being written. Bytes are appended to a {@link SpillBuffer}; every time it holds a part's
 * worth, the part is uploaded (the multipart upload is created lazily, then). A failed request leaves
 * the bytes in the buffer, so calling the same method again retries without losing or repeating data.
 */
export class S3Object {
  private uploadId: string | null = null;
  private readonly parts: { PartNumber: number; ETag: string }[] = [];
  private done = false;
  bytes = 0;

  constructor(
    private readonly storage: S3Storage,
    readonly key: string,
    private readonly buffer: SpillBuffer,
  ) {}

  write(chunk: Buffer): void {
    this.buffer.append(chunk);
    this.bytes += chunk.length;
  }

  /** Uploads a part when at least `s3.part.size` bytes are waiting. */
  async uploadFullParts(): Promise<void> {
    if (this.buffer.size >= this.storage.partSize) await this.uploadPart();
  }

  /** Uploads what is left and completes the object; S3 makes it visible atomically, whole. */
  async complete(): Promise<void> {
    if (this.done) return;
    const s = this.storage;
    if (this.uploadId === null) {
      // Small object: one PUT instead of create + part + complete (same object, a third of the requests).
      const body = await this.buffer.takeAll();
      try {
        await s.send(`writing ${this.key}`, () =>
          s.client.send(new PutObjectCommand({ Bucket: s.bucket, Key: this.key, Body: body, ...s.objectOptions })),
        );
      } catch (err) {
        this.buffer.restore(body);
        throw err;
      }
      this.buffer.release();
    } else {
      if (this.buffer.size > 0) await this.uploadPart();
      const uploadId = this.uploadId;
      await s.send(`completing ${this.key}`, () =>
        s.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: s.bucket,
            Key: this.key,
            UploadId: uploadId,
            MultipartUpload: { Parts: this.parts },
          }),
        ),
      );
    }
    this.done = true;
    await this.buffer.dispose();
  }

  /** Drops the object (rebalance, stop): an incomplete upload is aborted, nothing becomes visible. */
  async abort(): Promise<void> {
    await this.buffer.dispose();
    if (this.uploadId && !this.done) {
      const s = this.storage;
      await s.client
        .send(new AbortMultipartUploadCommand({ Bucket: s.bucket, Key: this.key, UploadId: this.uploadId }))
        .catch(() => {});
    }
    this.done = true;
  }

  private async uploadPart(): Promise<void> {
    const s = this.storage;
    if (this.uploadId === null) {
      const res = await s.send(`starting ${this.key}`, () =>
        s.client.send(new CreateMultipartUploadCommand({ Bucket: s.bucket, Key: this.key, ...s.objectOptions })),
      );
      this.uploadId = res.UploadId!;
    }
    const body = await this.buffer.takeAll();
    const partNumber = this.parts.length + 1;
    try {
      const uploadId = this.uploadId;
      const res = await s.send(`uploading part ${partNumber} of ${this.key}`, () =>
        s.client.send(
          new UploadPartCommand({
            Bucket: s.bucket,
            Key: this.key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: body,
          }),
        ),
      );
      this.parts.push({ PartNumber: partNumber, ETag: res.ETag! });
      this.buffer.release();
    } catch (err) {
      this.buffer.restore(body);
      throw err;
    }
  }
}
