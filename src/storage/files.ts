import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where uploaded files live. Features store a key in their database row and never see a
 * path; one implementation (local disk) today, an S3-compatible one can be added here
 * without touching features.
 */
export interface FileStorage {
  /** Directory for uploads in progress (same file system as the store, so `put` is a rename). */
  readonly tempDir: string;
  /** Takes a finished temp file into the store atomically and returns its key. */
  put(tempPath: string): Promise<string>;
  open(key: string): Readable;
  size(key: string): Promise<number>;
  remove(key: string): Promise<void>;
}

const KEY = /^[a-f0-9]{2}\/[a-f0-9]{40}$/;

/** Files under STORAGE_DIR/files/<2 hex>/<40 hex>, with random names (never the uploaded name). */
export function localFileStorage(root: string): FileStorage {
  const tempDir = path.join(root, 'tmp');
  const pathOf = (key: string) => {
    if (!KEY.test(key)) throw new Error(`invalid storage key ${key}`);
    return path.join(root, 'files', key);
  };
  return {
    tempDir,
    async put(tempPath) {
      const name = randomBytes(20).toString('hex');
      const key = `${name.slice(0, 2)}/${name}`;
      await mkdir(path.dirname(pathOf(key)), { recursive: true });
      await rename(tempPath, pathOf(key));
      return key;
    },
    open: (key) => createReadStream(pathOf(key)),
    size: async (key) => (await stat(pathOf(key))).size,
    remove: (key) => rm(pathOf(key), { force: true }),
  };
}

/**
 * "File and database row together or neither": moves finished temp files into the store,
 * then runs `write` (the transaction that records their keys). If moving or writing fails,
 * the stored files are removed again and the temp files deleted, so nothing is left behind.
 */
export async function storeThenWrite<T>(storage: FileStorage, tempPaths: string[], write: (keys: string[]) => Promise<T>): Promise<T> {
  const keys: string[] = [];
  try {
    for (const tempPath of tempPaths) keys.push(await storage.put(tempPath));
    return await write(keys);
  } catch (error) {
    await Promise.all(keys.map((key) => storage.remove(key)));
    await Promise.all(tempPaths.map((tempPath) => rm(tempPath, { force: true })));
    throw error;
  }
}
