import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { StoredFileMissingError, type FileStorage } from '../storage/files.ts';
import { NotFoundError } from './errors.ts';

export type StoredFile = { id: string; storageKey: string; mimeType: string; size: number; fileName: string };

/** Types a browser shows itself; everything else (Word) is always a download. */
const VIEWABLE = new Set(['application/pdf', 'image/jpeg', 'image/png', 'image/webp']);

/** Content-Disposition with an ASCII fallback and the real (UTF-8) name. */
function disposition(type: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * Streams a stored file to the response (never buffered), with its checked type, nosniff
 * and no caching. `viewable` shows PDF and images in the browser; otherwise, and for Word
 * always, the file is a download. A file missing from the store is a 404.
 */
export async function sendStoredFile(res: Response, storage: FileStorage, file: StoredFile, mode: 'viewable' | 'download') {
  try {
    await storage.size(file.storageKey);
  } catch (error) {
    // A store that cannot be reached (object storage down) is an error page, not "not found".
    if (error instanceof StoredFileMissingError) throw new NotFoundError(`stored file of ${file.id} is missing`);
    throw error;
  }
  const type = mode === 'viewable' && VIEWABLE.has(file.mimeType) ? 'inline' : 'attachment';
  res.set({
    'Content-Type': file.mimeType,
    'Content-Length': String(file.size),
    'Content-Disposition': disposition(type, file.fileName),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
  });
  try {
    await pipeline(storage.open(file.storageKey), res);
  } catch {
    res.destroy();
  }
}
