import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '@np/contracts';
import type { Disposition } from '../contracts/index.js';

/** What a signed link grants: one file, until a time, served inline or as an attachment. */
export interface LinkGrant {
  id: string;
  /** Seconds since the epoch. */
  expires: number;
  disposition: Disposition;
}

export function newLinkKey(): string {
  return randomBytes(32).toString('base64url');
}

/** What an upload grant allows: one upload, as this file of this owner with this name, until a time. */
export interface UploadGrant {
  fileId: string;
  ownerId: string;
  name: string;
  folder: string;
  expires: number;
}

/** HMAC-SHA256 of the grant under the tenant's link key; any change to the URL breaks it. */
export class LinkSigner {
  constructor(private readonly key: string) {}

  sign(grant: LinkGrant): string {
    return createHmac('sha256', Buffer.from(this.key, 'base64url')).update(`${grant.id}\n${grant.expires}\n${grant.disposition}`).digest('base64url');
  }

  /** An upload grant's signature; its own prefix keeps it from ever passing as a download link's. */
  signUpload(grant: UploadGrant): string {
    return createHmac('sha256', Buffer.from(this.key, 'base64url')).update(`upload\n${grant.fileId}\n${grant.ownerId}\n${grant.name}\n${grant.folder}\n${grant.expires}`).digest('base64url');
  }

  /** Throws 403 `link_invalid` unless the upload grant is signed and still valid. */
  verifyUpload(grant: UploadGrant, signature: string, now: Date = new Date()): void {
    const expected = Buffer.from(this.signUpload(grant));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new AppError('link_invalid', 'This upload grant is not valid.');
    if (grant.expires * 1000 <= now.getTime()) throw new AppError('link_invalid', 'This upload grant has expired.');
  }

  /** Throws 403 `link_invalid` for a signature that does not match, or a link past its time. */
  verify(grant: LinkGrant, signature: string, now: Date = new Date()): void {
    const expected = Buffer.from(this.sign(grant));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new AppError('link_invalid', 'This link is not valid.');
    if (grant.expires * 1000 <= now.getTime()) throw new AppError('link_invalid', 'This link has expired.');
  }
}
