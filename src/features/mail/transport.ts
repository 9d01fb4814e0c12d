import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import type { Config } from '../../config.ts';

/**
 * SMTP connections kept open, and mails in flight at once in the outbox (deliver.ts). Delivery
 * is bound by latency: each sender waits for the receiver's answer and for its "sent" mark
 * before it takes the next mail, so more senders send more per second; it is also the most a
 * crash can send twice. `npm run bench:digest`: 139 s for 100,000 mails with 8, 129 s with 16.
 */
export const MAILS_IN_FLIGHT = 16;

/** What the outbox needs of a mail transport: send one message, or throw. */
export type MailTransport = Pick<Transporter, 'sendMail'> & { close?: () => void };

/**
 * SMTP when SMTP_URL is set (production, tests with the real SMTP receiver). Without it,
 * in development, mails are written to DATA_DIR/mail/ as .eml plus a .json summary that
 * the dev mailbox page (/dev/mails) lists.
 */
export function createMailTransport(config: Config): MailTransport {
  // Pooled: the outbox sends several mails at once over a few kept-open connections
  // (src/features/mail/deliver.ts); parameters in SMTP_URL (?maxConnections=…) win.
  if (config.smtpUrl) {
    const smtp = nodemailer.createTransport({ url: config.smtpUrl, pool: true, maxConnections: MAILS_IN_FLIGHT, maxMessages: 500 });
    // A raw message (composeMail) has its Message-ID in its own headers: tell nodemailer, which
    // would otherwise make one up for its return value (five randomBytes calls per mail).
    smtp.use('stream', (mail, done) => {
      if (mail.data.raw && typeof mail.data.messageId === 'string') mail.message.setHeader('Message-ID', mail.data.messageId);
      done();
    });
    return smtp;
  }
  if (config.env === 'production') throw new Error('SMTP_URL is required in production');
  return devFileTransport(path.join(config.dataDir, 'mail'));
}

export function devFileTransport(dir: string): MailTransport {
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async sendMail(message) {
      const info = await stream.sendMail(message);
      await mkdir(dir, { recursive: true });
      const name = `${Date.now()}-${String(message.messageId ?? info.messageId).replace(/[^a-zA-Z0-9-]/g, '')}`;
      await writeFile(path.join(dir, `${name}.eml`), info.message as Buffer);
      await writeFile(
        path.join(dir, `${name}.json`),
        JSON.stringify({
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          attachments: message.attachments?.map((file) => file.filename) ?? [],
          date: new Date().toISOString(),
        }),
      );
      return info;
    },
  };
}

/**
 * The kind of mail composeMail builds: a text and an HTML alternative, no attachments (the
 * rare mail with attachments goes through nodemailer's own composer, src/features/mail/deliver.ts).
 */
export type PlainMail = {
  from: string | { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  date?: Date;
  /** Extra header lines, plain ASCII (List-Unsubscribe, List-Unsubscribe-Post). */
  headers?: Record<string, string>;
};

/** One node to encode headers with (MimeNode.encodeHeaderValue makes a node per call, which draws random bytes). */
const headerEncoder = new MimeNode(false, { textEncoding: 'B' });

/** Encoded header lines by header and value: the few senders and subjects repeat all day. */
const headerLines = new Map<string, string>();

function headerLine(key: string, value: string | { name: string; address: string }, cache = true): string {
  if (!cache) return foldLines(`${key}: ${headerEncoder.encodeHeaderValue(key, value)}`, 76);
  const cacheKey = `${key}\u0000${typeof value === 'string' ? value : `${value.name}\u0000${value.address}`}`;
  let line = headerLines.get(cacheKey);
  if (line === undefined) {
    // Exactly what nodemailer writes for the header: encoded (UTF-8, base64 words), folded at 76.
    line = foldLines(`${key}: ${headerEncoder.encodeHeaderValue(key, value)}`, 76);
    if (headerLines.size >= 1000) headerLines.clear();
    headerLines.set(cacheKey, line);
  }
  return line;
}

function base64Lines(content: string): string {
  const encoded = Buffer.from(content, 'utf8').toString('base64');
  if (encoded.length <= 76) return encoded;
  const lines: string[] = [];
  for (let at = 0; at < encoded.length; at += 76) lines.push(encoded.slice(at, at + 76));
  return lines.join('\r\n');
}

/**
 * The MIME message nodemailer would build for `mail` (multipart/alternative, both parts
 * UTF-8 in base64, the same headers), built directly as one string: nodemailer's composer
 * streams every part through its own encoder, which costs more than sending the mail. The
 * outbox hands it to the transport as `raw` (src/features/mail/deliver.ts). One difference:
 * nodemailer writes a short pure-ASCII part as 7bit, this always uses base64. Null for a
 * mail with an empty part.
 */
export function composeMail(mail: PlainMail): string | null {
  // One plain address: anything that could make the To header say more than the envelope
  // (line breaks, a second address) is refused for good (EENVELOPE, see deliver.ts).
  if (!/^[^\s@,;<>"]+@[^\s@,;<>"]+$/.test(mail.to)) throw Object.assign(new Error(`invalid recipient ${JSON.stringify(mail.to)}`), { code: 'EENVELOPE' });
  // nodemailer leaves an empty part out; such mails are rare enough to leave to it.
  if (!mail.text || !mail.html) return null;
  // nodemailer's form of boundary; randomUUID draws from a pool, randomBytes(8) makes a system call.
  const boundary = `--_NmP-${randomUUID().replaceAll('-', '').slice(0, 16)}-Part_1`;
  return [
    headerLine('From', mail.from),
    headerLine('To', mail.to, false),
    headerLine('Subject', mail.subject),
    headerLine('Message-ID', mail.messageId, false),
    `Date: ${(mail.date ?? new Date()).toUTCString().replace(/GMT/, '+0000')}`,
    ...Object.entries(mail.headers ?? {}).map(([key, value]) => headerLine(key, value, false)),
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(mail.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(mail.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}
