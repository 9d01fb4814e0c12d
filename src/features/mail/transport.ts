import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../config.ts';

/** What the outbox needs of a mail transport: send one message, or throw. */
export type MailTransport = Pick<Transporter, 'sendMail'> & { close?: () => void };

/**
 * SMTP when SMTP_URL is set (production, tests with the real SMTP receiver). Without it,
 * in development, mails are written to DATA_DIR/mail/ as .eml plus a .json summary that
 * the dev mailbox page (/dev/mails) lists.
 */
export function createMailTransport(config: Config): MailTransport {
  if (config.smtpUrl) return nodemailer.createTransport(config.smtpUrl);
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
        JSON.stringify({ to: message.to, subject: message.subject, text: message.text, html: message.html, date: new Date().toISOString() }),
      );
      return info;
    },
  };
}
