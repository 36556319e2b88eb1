import { describe, expect, it } from '@jest/globals';
import { archiveFileName, entryNames, isCompressed } from './entry-names.js';

describe('archive entry names', () => {
  it('numbers repeated names the way a desktop does, whatever their case', () => {
    const files = [{ name: 'report.pdf', folder: 'a' }, { name: 'Report.pdf', folder: 'b' }, { name: 'report.pdf', folder: 'c' }, { name: 'notes', folder: '' }, { name: 'notes', folder: '' }];
    expect(entryNames(files, false)).toEqual(['report.pdf', 'Report (2).pdf', 'report (3).pdf', 'notes', 'notes (2)']);
  });

  it('keeps each file in its folder when asked, so equal names in other folders stay apart', () => {
    expect(entryNames([{ name: 'a.txt', folder: 'x/y' }, { name: 'a.txt', folder: '' }, { name: 'a.txt', folder: 'x/y' }], true)).toEqual(['x/y/a.txt', 'a.txt', 'x/y/a (2).txt']);
  });

  it('names the archive after the folder', () => {
    expect(archiveFileName('projects/2026')).toBe('2026.zip');
    expect(archiveFileName('')).toBe('files.zip');
    expect(archiveFileName(undefined)).toBe('files.zip');
  });

  it('stores compressed formats as they are', () => {
    expect(['image/png', 'video/mp4', 'application/zip', 'application/pdf'].map(isCompressed)).toEqual([true, true, true, true]);
    expect(['text/plain', 'application/json', 'image/svg+xml', 'text/csv'].map(isCompressed)).toEqual([false, false, false, false]);
  });
});
