import path from 'node:path';
import type { Config } from '../config.ts';
import { localFileStorage, type FileStorage } from './files.ts';
import { s3FileStorage } from './s3.ts';

const opened = new Map<string, FileStorage>();

/**
 * The file storage the configuration names: S3-compatible object storage when STORAGE_URL is
 * set (several app instances then share the files), else the local STORAGE_DIR. One per
 * configuration and process, so the app, the machine API, the jobs and the demo seed share
 * one S3 client and its connections.
 */
export function fileStorageFor(config: Pick<Config, 'storageDir' | 's3'>): FileStorage {
  const id = JSON.stringify([config.storageDir, config.s3]);
  let storage = opened.get(id);
  if (!storage) {
    storage = config.s3 ? s3FileStorage(config.s3, path.join(config.storageDir, 'tmp')) : localFileStorage(config.storageDir);
    opened.set(id, storage);
  }
  return storage;
}
