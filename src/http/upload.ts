import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { Request, Response } from 'express';
import { fileTypeFromFile } from 'file-type';
import multer from 'multer';
import type { FileStorage } from '../storage/files.ts';
import { refuseControlCharacters } from './input.ts';

export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
export const MAX_FILES_PER_FORM = 10;

/** What residents may receive: PDF, Word (.docx and legacy .doc), JPEG, PNG — decided by content. */
export const DOCUMENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['pdf', 'application/pdf'],
  ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['doc', 'application/msword'],
  ['jpg', 'image/jpeg'],
  ['png', 'image/png'],
]);

/** What residents attach to a Vorgang: photos (JPEG, PNG, WebP) and PDFs — decided by content. */
export const PHOTO_AND_PDF_TYPES: ReadonlyMap<string, string> = new Map([
  ['pdf', 'application/pdf'],
  ['jpg', 'image/jpeg'],
  ['png', 'image/png'],
  ['webp', 'image/webp'],
]);

/**
 * iPhone photos (HEIC/HEIF, HEVC-coded): the image library's prebuilt decoder reads HEIF
 * only as AVIF, so they are refused with their own message (how to send a JPEG instead)
 * rather than a generic "wrong type". Browsers on iOS usually convert them on upload.
 */
const HEIC_EXTENSIONS = new Set(['heic', 'heif']);

/** Which types a form accepts, and the message that names them when a file is none of them. */
export type AcceptedTypes = {
  types: ReadonlyMap<string, string>;
  wrongType: string;
  /** Decides the type where file-type cannot (text such as CSV has no signature); null refuses the file. */
  detect?: (filePath: string) => Promise<{ ext: string; mimeType: string } | null>;
  /** A smaller limit than MAX_UPLOAD_BYTES (profile photos: 10 MB), with the message that names it. */
  maxBytes?: { bytes: number; tooLarge: string };
};
export const DOCUMENT_UPLOADS: AcceptedTypes = { types: DOCUMENT_TYPES, wrongType: 'common:upload.wrongType' };
export const PHOTO_AND_PDF_UPLOADS: AcceptedTypes = { types: PHOTO_AND_PDF_TYPES, wrongType: 'common:upload.wrongPhotoType' };

/** multer's options; `streamHandler` (see multer's README) is missing from @types/multer. */
type MulterOptions = multer.Options & { streamHandler?: (req: Request, busboy: NodeJS.WritableStream) => void };

/**
 * An accepted file. `originalName` is what the browser sent (for titles only, e.g. defaultTitle
 * in src/features/documents/service.ts); `fileName` is the name to store and offer on
 * download: without any path or control characters, and with the extension of the type
 * found in the bytes (a PNG named "plan.docx" becomes "plan.png"), so a file is never
 * offered under a misleading name.
 */
export type Upload = { tempPath: string; originalName: string; fileName: string; size: number; ext: string; mimeType: string };

/**
 * Receives a multipart form: fields into req.body, files streamed to STORAGE_DIR/tmp (never
 * held in memory), at most 50 MB each. Returns the accepted files or the i18n key of the
 * problem; on a problem every temp file is already deleted. A control character in a field
 * or file name throws InvalidCharacterError (src/http/input.ts), its temp files deleted. Put file inputs last in the
 * form, so the other fields have arrived (and can be shown again) when a file is refused.
 */
export async function receiveUploads(
  req: Request,
  res: Response,
  storage: FileStorage,
  field: string,
  accepted: AcceptedTypes = DOCUMENT_UPLOADS,
): Promise<{ files: Upload[]; error?: string }> {
  await mkdir(storage.tempDir, { recursive: true });
  const options: MulterOptions = {
    storage: multer.diskStorage({
      destination: storage.tempDir,
      filename: (_req, _file, done) => done(null, randomBytes(16).toString('hex')),
    }),
    // Browsers send UTF-8 file names without saying so ("Übergabeprotokoll.pdf").
    defParamCharset: 'utf8',
    // Multer's default (`req.pipe(busboy)`), plus the garbage collection hint below.
    streamHandler: (request, busboy) => {
      request.on('data', countUploadBytes);
      request.pipe(busboy);
    },
    limits: { fileSize: accepted.maxBytes?.bytes ?? MAX_UPLOAD_BYTES, files: MAX_FILES_PER_FORM, fields: 100, fieldSize: 200 * 1024 },
  };
  const receiver = multer(options).array(field, MAX_FILES_PER_FORM);

  const problem = await new Promise<string | undefined>((resolve) =>
    receiver(req, res, (error: unknown) => {
      if (!error) return resolve(undefined);
      const code = (error as { code?: string }).code;
      resolve(
        code === 'LIMIT_FILE_SIZE'
          ? (accepted.maxBytes?.tooLarge ?? 'common:upload.tooLarge')
          : code === 'LIMIT_FILE_COUNT'
            ? 'common:upload.tooMany'
            : 'common:upload.failed',
      );
    }),
  );
  const received = (req.files as Express.Multer.File[] | undefined) ?? [];
  req.body ??= {};
  if (problem) {
    await discard(received.map((f) => f.path));
    return { files: [], error: problem };
  }
  // The control-character rule of every input (src/http/input.ts) for the multipart fields and
  // file names, which are parsed only here. A file name with a control character is refused
  // (422 through the error handler) rather than cleaned: it is the same rule as for every
  // other field, no real file system name holds NUL, and the original name also becomes a
  // document's default title, so cleaning would have to be repeated wherever it is used.
  try {
    refuseControlCharacters(req.body, 'body');
    for (const file of received) refuseControlCharacters(file.originalname, 'fileName', file.fieldname);
  } catch (error) {
    await discard(received.map((f) => f.path));
    throw error;
  }

  // An empty part without a name is a file input left empty; an empty named file is a mistake.
  if (received.some((f) => f.size === 0 && f.originalname)) {
    await discard(received.map((f) => f.path));
    return { files: [], error: 'common:upload.empty' };
  }
  const files: Upload[] = [];
  for (const file of received.filter((f) => f.size > 0)) {
    const detected = accepted.detect ? await accepted.detect(file.path) : await detectType(file.path, accepted.types);
    if (!detected || detected === 'heic') {
      await discard(received.map((f) => f.path));
      return { files: [], error: detected === 'heic' ? 'common:upload.heic' : accepted.wrongType };
    }
    files.push({ tempPath: file.path, originalName: file.originalname, fileName: safeFileName(file.originalname, detected.ext), size: file.size, ...detected });
  }
  await discard(received.filter((f) => f.size === 0).map((f) => f.path));
  return { files };
}

/**
 * Streaming keeps an upload out of memory, but not its garbage: Node's HTTP parser copies
 * every piece of the request body into a new Buffer (up to 64 KB each), and those die as
 * soon as they are on disk. Their memory lies outside V8's heap, and an upload makes
 * little garbage on the heap, so V8 does not collect until ~64 MB of such buffers have
 * piled up (its external-memory limit); the malloc arena then keeps most of that resident.
 * Without this hint a 50 MB upload grew the server's RSS by ~48 MB
 * (`npm run bench:upload-memory`). So after every 8 MB of request body received (all
 * uploads of the process together) a minor (young-generation) collection runs, which frees
 * those short-lived buffers and takes about a millisecond. It needs `node --expose-gc`, which
 * `npm start` passes; a server started without it works the same, only with a larger RSS.
 */
const UPLOAD_BYTES_PER_GC = 8 * 1024 * 1024;
let uploadBytesSinceGc = 0;

function countUploadBytes(chunk: Buffer) {
  uploadBytesSinceGc += chunk.length;
  if (uploadBytesSinceGc < UPLOAD_BYTES_PER_GC) return;
  uploadBytesSinceGc = 0;
  collectYoungGarbage();
}

/**
 * A synchronous minor GC, when the process was started with --expose-gc (`npm start` and the
 * benchmarks do; see package.json). Without the flag it does nothing and V8 collects later.
 */
export function collectYoungGarbage() {
  globalThis.gc?.({ type: 'minor', execution: 'sync' });
}

/** The file's real type from its bytes (file-type), 'heic' for an iPhone photo, or null when it is not allowed. */
export async function detectType(
  filePath: string,
  types: ReadonlyMap<string, string> = DOCUMENT_TYPES,
): Promise<{ ext: string; mimeType: string } | 'heic' | null> {
  const type = await fileTypeFromFile(filePath);
  if (!type) return null;
  if (HEIC_EXTENSIONS.has(type.ext)) return 'heic';
  // Legacy .doc is a Compound File (CFB), like .xls and .msi: only a Word binary has a
  // "WordDocument" stream, whose name sits in the CFB directory as UTF-16LE.
  if (type.ext === 'cfb') return types.has('doc') && (await containsBytes(filePath, WORD_STREAM)) ? { ext: 'doc', mimeType: types.get('doc')! } : null;
  const ext = type.ext === 'jpeg' ? 'jpg' : type.ext;
  return types.has(ext) ? { ext, mimeType: types.get(ext)! } : null;
}

const WORD_STREAM = Buffer.from('WordDocument', 'utf16le');

/** Streams through a file looking for a byte sequence, keeping only a small overlap in memory. */
async function containsBytes(filePath: string, needle: Buffer): Promise<boolean> {
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(filePath, { highWaterMark: 64 * 1024 })) {
    const window = Buffer.concat([tail, chunk as Buffer]);
    if (window.includes(needle)) return true;
    tail = window.subarray(Math.max(0, window.length - needle.length));
  }
  return false;
}

export async function discard(paths: string[]) {
  await Promise.all(paths.map((p) => rm(p, { force: true })));
}

/** The name to store: no path ("../x.pdf" → "x.pdf"), no control characters, the extension of the real type. */
export function safeFileName(name: string, ext: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  const stem =
    base
      .replace(/\.[^.]*$/, '')
      .replace(/^\.+/, '')
      .trim()
      .slice(0, 200) || 'dokument';
  return `${stem}.${ext}`;
}

/** A readable title from a file name: "Hausordnung_2026-final.pdf" → "Hausordnung 2026 final". */
export function titleFromFileName(name: string): string {
  return name
    .replace(/\.[^.]+$/, '')
    .replace(/[_\-.]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
