import { describe, expect, it } from '@jest/globals';
import { LinkSigner, newLinkKey } from './link-signer.js';

const grant = { id: '7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11', expires: 2_000_000_000, disposition: 'inline' as const };

describe('LinkSigner', () => {
  const signer = new LinkSigner(newLinkKey());

  it('accepts its own signature before the link expires', () => {
    expect(() => signer.verify(grant, signer.sign(grant), new Date(1_900_000_000_000))).not.toThrow();
  });

  it('refuses it once expired', () => {
    expect(() => signer.verify(grant, signer.sign(grant), new Date(2_000_000_000_000))).toThrow(expect.objectContaining({ code: 'link_invalid' }));
  });

  it('refuses any change to what was signed, and another key', () => {
    const signature = signer.sign(grant);
    const now = new Date(1_900_000_000_000);
    expect(() => signer.verify({ ...grant, expires: grant.expires + 1 }, signature, now)).toThrow(expect.objectContaining({ code: 'link_invalid' }));
    expect(() => signer.verify({ ...grant, disposition: 'attachment' }, signature, now)).toThrow(expect.objectContaining({ code: 'link_invalid' }));
    // Another last character, whatever the signature ends with (it ends with 'A' one time in 16).
    const tampered = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'E' : 'A'}`;
    expect(() => signer.verify(grant, tampered, now)).toThrow(expect.objectContaining({ code: 'link_invalid' }));
    expect(() => new LinkSigner(newLinkKey()).verify(grant, signature, now)).toThrow(expect.objectContaining({ code: 'link_invalid' }));
  });

  it('signs upload grants apart from links: any change refuses it, as does its time passing', () => {
    const upload = { fileId: grant.id, ownerId: '7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11', name: 'export.csv', folder: 'reports', expires: grant.expires };
    const now = new Date(1_900_000_000_000);
    const signature = signer.signUpload(upload);
    expect(() => signer.verifyUpload(upload, signature, now)).not.toThrow();
    expect(signature).not.toBe(signer.sign(grant));
    for (const changed of [{ ownerId: '00000000-0000-4000-8000-000000000000' }, { name: 'other.csv' }, { folder: '' }, { expires: upload.expires + 1 }]) {
      expect(() => signer.verifyUpload({ ...upload, ...changed }, signature, now)).toThrow(expect.objectContaining({ code: 'link_invalid' }));
    }
    expect(() => signer.verifyUpload(upload, signature, new Date(2_000_000_000_000))).toThrow(expect.objectContaining({ code: 'link_invalid' }));
  });
});
