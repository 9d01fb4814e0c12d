import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Small real files of the allowed upload types, recognised by their bytes. */
export const SAMPLE_FILES = {
  pdf: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  png: Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d8a5800000000049454e44ae426082',
    'hex',
  ),
  /** A legacy Word file: a Compound File with a WordDocument stream. */
  word: Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(70_000), Buffer.from('WordDocument', 'utf16le'), Buffer.alloc(512)]),
};

/** Every file below a directory (the storage and its temp folder), to prove nothing is left behind. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return (await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)])))).flat();
}
