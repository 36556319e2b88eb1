/**
 * File names and folders are metadata a user chose: kept readable, but never able to act as a
 * path, a control sequence or a spoofed extension wherever they are shown or sent back. The
 * one place that decides what a stored name may hold.
 */
const MAX_NAME_CHARS = 255;
const MAX_FOLDER_CHARS = 1024;
const MAX_FOLDER_DEPTH = 32;

// Control characters (NUL among them), format characters (right-to-left overrides and marks,
// zero-width joiners), and unpaired surrogates.
const UNSAFE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;

function cleanSegment(segment: string): string {
  return segment
    .replace(UNSAFE_CHARACTERS, '')
    .toWellFormed()
    .normalize('NFC')
    .replace(UNSAFE_CHARACTERS, '')
    .replace(/["*:<>?|]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '')
    .trim();
}

function segmentsOf(value: string): string[] {
  return value
    .split(/[/\\]/)
    .map(cleanSegment)
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** A name safe to store and show: no separators, no dot segments, no control or direction characters, at most 255 characters. */
export function safeFileName(raw: string | undefined): string {
  const joined = segmentsOf(raw ?? '').join('_');
  return truncateKeepingExtension(joined, MAX_NAME_CHARS) || 'file';
}

/** A folder as `a/b/c` (no leading or trailing slash; `` is the top), each segment cleaned like a name. */
export function safeFolder(raw: string | undefined): string {
  const segments = segmentsOf(raw ?? '')
    .slice(0, MAX_FOLDER_DEPTH)
    .map((segment) => truncateKeepingExtension(segment, MAX_NAME_CHARS));
  return [...segments.join('/')].slice(0, MAX_FOLDER_CHARS).join('').replace(/\/+$/, '');
}

function truncateKeepingExtension(name: string, max: number): string {
  const characters = [...name];
  if (characters.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? [...name.slice(dot)] : [];
  if (extension.length === 0 || extension.length > 16) return characters.slice(0, max).join('');
  return [...characters.slice(0, max - extension.length), ...extension].join('');
}
