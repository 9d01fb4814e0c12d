import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { NotFoundError } from '../../http/errors.ts';
import { render } from '../../http/views.ts';
import { publicScope, scoped } from '../../scopes/scope.ts';

type DevMail = { file: string; to: string; subject: string; text: string; html: string; date: string };

async function readMails(dir: string): Promise<DevMail[]> {
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .reverse();
  return Promise.all(
    files.slice(0, 200).map(async (file) => ({ file: file.replace(/\.json$/, ''), ...JSON.parse(await readFile(path.join(dir, file), 'utf8')) })),
  );
}

/**
 * The development mailbox: what the dev file transport wrote to DATA_DIR/mail. Never mounted
 * in production; behind the loopback guard (src/app.ts) nothing of a Verwaltung is loaded, so
 * its scope is the public one.
 */
export function devMailRoutes() {
  const router = Router();

  router.get(
    '/mails',
    scoped(publicScope, async (req, res) => {
      const mails = await readMails(path.join(req.deps.config.dataDir, 'mail'));
      render(req, res, 'mail/dev-index', { mails, title: req.t('dev.mailbox') });
    }),
  );

  router.get(
    '/mails/:file',
    scoped(publicScope, async (req, res) => {
      const mails = await readMails(path.join(req.deps.config.dataDir, 'mail'));
      const mail = mails.find((m) => m.file === req.params.file);
      if (!mail) throw new NotFoundError();
      render(req, res, 'mail/dev-show', { mail, title: mail.subject });
    }),
  );

  // The HTML part on its own, sandboxed: no scripts, no forms, nothing from elsewhere.
  router.get(
    '/mails/:file/html',
    scoped(publicScope, async (req, res) => {
      const mails = await readMails(path.join(req.deps.config.dataDir, 'mail'));
      const mail = mails.find((m) => m.file === req.params.file);
      if (!mail) throw new NotFoundError();
      res.set('Content-Security-Policy', "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      res.type('html').send(mail.html);
    }),
  );

  return router;
}
