/** What an archive needs of a file to name its entry. */
export interface ArchivedName {
  name: string;
  folder: string;
}

/**
 * Each file's path inside the archive: its name (in its folder when `withFolders`), made unique
 * the way a desktop does it (`report.pdf`, `report (2).pdf`). Stored names and folders are safe
 * already (no `..`, no leading `/`: see names/safe-names.ts), so no entry escapes where it is unpacked.
 */
export function entryNames(files: readonly ArchivedName[], withFolders: boolean): string[] {
  const taken = new Set<string>();
  return files.map((file) => {
    const path = withFolders && file.folder !== '' ? `${file.folder}/${file.name}` : file.name;
    let candidate = path;
    for (let copy = 2; taken.has(candidate.toLowerCase()); copy += 1) candidate = numbered(path, copy);
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

function numbered(path: string, copy: number): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? `${path.slice(0, dot)} (${copy})${path.slice(dot)}` : `${path} (${copy})`;
}

/** The archive's own file name: the folder's last segment, else `files`. */
export function archiveFileName(folder: string | undefined): string {
  const last = (folder ?? '').split('/').filter((segment) => segment !== '').at(-1);
  return `${last ?? 'files'}.zip`;
}

/** Bytes that are compressed already gain nothing from deflate: they are stored as they are. */
export function isCompressed(contentType: string): boolean {
  return /^(image\/(jpeg|png|gif|webp|avif|heic)|video\/|audio\/|application\/(zip|gzip|x-7z-compressed|x-xz|zstd|pdf|x-bzip2))/.test(contentType);
}
