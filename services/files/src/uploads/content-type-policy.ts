import { fileTypeFromBuffer, supportedMimeTypes } from 'file-type';
import { AppError } from '@np/contracts';

/** How many leading bytes are read to recognise a type (zip-based formats need more than a few kilobytes). */
export const SNIFF_BYTES = 64 * 1024;

/** Spellings of one type that clients send for another. */
const SAME_TYPE: Readonly<Record<string, string>> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'application/x-zip-compressed': 'application/zip',
  'application/x-gzip': 'application/gzip',
  'audio/mp3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'video/x-matroska': 'video/matroska',
};

/** Containers whose recognised type is the container while the declared one names a format inside it. */
const CONTAINERS = new Set(['application/zip', 'application/x-cfb']);

function normalise(type: string | undefined): string | undefined {
  const bare = type?.split(';')[0]?.trim().toLowerCase();
  if (!bare || bare === 'application/octet-stream') return undefined;
  return SAME_TYPE[bare] ?? bare;
}

/** The allow-list of NP_FILES_ALLOWED_TYPES: exact types and `family/*`. */
export class AllowedTypes {
  private readonly exact = new Set<string>();
  private readonly families = new Set<string>();

  constructor(list: string) {
    for (const item of list.split(',').map((part) => part.trim().toLowerCase()).filter(Boolean)) {
      if (item.endsWith('/*')) this.families.add(item.slice(0, -2));
      else if (item.endsWith('.*')) this.families.add(item.slice(0, -1));
      else this.exact.add(item);
    }
  }

  allows(type: string): boolean {
    if (this.exact.has(type)) return true;
    const [family] = type.split('/');
    if (family !== undefined && this.families.has(family)) return true;
    return [...this.families].some((prefix) => prefix.includes('/') && type.startsWith(prefix));
  }
}

const RECOGNISABLE = new Set<string>(supportedMimeTypes);

/**
 * The content type a file is stored with, decided from its first bytes: the recognised type,
 * which must agree with the declared one (when one was declared) and be allowed; bytes with no
 * signature keep the declared type only when that type has no signature either (text, CSV,
 * JSON), else they lie about it. Anything else is 415 `unsupported_file_type`.
 */
export async function decideContentType(head: Uint8Array, declaredType: string | undefined, allowed: AllowedTypes): Promise<string> {
  const declared = normalise(declaredType);
  const sniffed = head.length === 0 ? undefined : (await fileTypeFromBuffer(head))?.mime;
  let type: string;
  if (sniffed !== undefined) {
    const recognised = SAME_TYPE[sniffed] ?? sniffed;
    if (declared !== undefined && declared !== recognised && !(CONTAINERS.has(recognised) && allowed.allows(declared))) {
      throw refused(`The file's bytes are ${recognised}, not the declared ${declared}.`);
    }
    type = declared ?? recognised;
  } else if (declared !== undefined) {
    if (RECOGNISABLE.has(declared)) throw refused(`The file's bytes are not ${declared}.`);
    type = declared;
  } else {
    type = 'application/octet-stream';
  }
  if (!allowed.allows(type)) throw refused(`Files of type ${type} are not accepted.`);
  return type;
}

function refused(message: string): AppError {
  return new AppError('unsupported_file_type', message);
}
