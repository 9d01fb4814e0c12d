import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = {
  messageId: string;
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The attached files, decoded (empty with `parse: false`). */
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
  /** Header lines as sent, by lowercase name, unfolded (List-Unsubscribe …; empty with `parse: false`). */
  headers: Map<string, string>;
};

/**
 * A real SMTP server (smtp-server) on a free local port: what the app sends arrives here
 * through nodemailer, exactly as in production. `failNext(n)` makes the next n
 * deliveries fail with a 451, to test retries. With `parse: false` (benchmarks, thousands
 * of mails) every message is still received in full, but not parsed: only the envelope
 * (`to`, `from`) and the Message-ID header are kept, the other fields stay empty.
 */
export async function startSmtpReceiver({ parse = true }: { parse?: boolean } = {}) {
  const messages: ReceivedMail[] = [];
  let failures = 0;
  let failureCode = 451;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      if (!parse) {
        // The header block only, to read the Message-ID from (the body is dropped as it comes).
        let head = '';
        let headDone = false;
        stream.on('data', (chunk: Buffer) => {
          if (headDone) return;
          head += chunk.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end >= 0) [head, headDone] = [head.slice(0, end), true];
        });
        stream.on('end', () => {
          if (failures > 0) {
            failures--;
            return callback(Object.assign(new Error(failureCode === 451 ? 'Temporary failure' : 'Mailbox unavailable'), { responseCode: failureCode }));
          }
          messages.push({
            messageId: /^message-id:\s*(<[^>]*>)/im.exec(head)?.[1] ?? '',
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: '',
            text: '',
            html: '',
            attachments: [],
            headers: new Map(),
          });
          callback();
        });
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (failures > 0) {
          failures--;
          return callback(Object.assign(new Error(failureCode === 451 ? 'Temporary failure' : 'Mailbox unavailable'), { responseCode: failureCode }));
        }
        const parsed = await simpleParser(Buffer.concat(chunks));
        messages.push({
          messageId: parsed.messageId ?? '',
          to: session.envelope.rcptTo.map((r) => r.address),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
          attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: a.content })),
          headers: new Map(
            parsed.headerLines.map((h) => [
              h.key,
              h.line
                .slice(h.line.indexOf(':') + 1)
                .replace(/\r?\n[ \t]+/g, ' ')
                .trim(),
            ]),
          ),
        });
        callback();
      });
    },
  });
  // A sender killed in the middle of a message resets its connection: that message was
  // simply not received. Anything else is a real error.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** Refuses the next n messages: 451 (try again later) or another code such as 550 (permanent). */
    failNext(n: number, code = 451) {
      failures = n;
      failureCode = code;
    },
    to(address: string) {
      return messages.filter((m) => m.to.includes(address));
    },
    clear() {
      messages.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type SmtpReceiver = Awaited<ReturnType<typeof startSmtpReceiver>>;

/** The first http(s) link in a mail's text part that contains `fragment`. */
export function linkIn(mail: ReceivedMail, fragment: string): string {
  const link = mail.text.match(/https?:\/\/\S+/g)?.find((l) => l.includes(fragment));
  if (!link) throw new Error(`no link with ${fragment} in mail "${mail.subject}":\n${mail.text}`);
  return link;
}
