import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Request, Response } from 'express';
import { PREVIEW_BASE } from '../scopes/bases.ts';
import { helpers } from './view-helpers.ts';

export const VIEWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');

export const eta = new Eta({
  views: VIEWS_DIR,
  cache: process.env.NODE_ENV === 'production',
  autoEscape: true,
  autoTrim: [false, 'nl'],
});

/**
 * With the template cache on, where a template name leads is fixed too: Eta works it out anew
 * for every render and include (JSON, path.join, path.relative; ~0.05 ms a page), so remember
 * it, per including file (`./_results` is another file in each folder). A name that leads
 * outside the views folder still throws every time.
 */
export function rememberTemplatePaths(engine: Eta): void {
  const resolve = engine.resolvePath!.bind(engine);
  // Keyed by the including file, then the name: both strings V8 has hashed already (the
  // cached path, a literal in the compiled template), where a joined key is built anew per call.
  const resolved = new Map<string, Map<string, string>>();
  engine.resolvePath = (template, options) => {
    const from = options?.filepath ?? '';
    let names = resolved.get(from);
    if (names === undefined) {
      names = new Map();
      resolved.set(from, names);
    }
    let file = names.get(template);
    if (file === undefined) {
      file = resolve(template, options);
      names.set(template, file);
    }
    return file;
  };
}
if (eta.config.cache) rememberTemplatePaths(eta);

export type Layout = 'console' | 'portal' | 'public' | 'none';

/** Renders a template with the helpers every template may use. */
export function renderTemplate(view: string, data: Record<string, unknown>): string {
  return eta.render(view, { ...helpers, ...data });
}

/**
 * Renders a page. The same template serves the full page and the htmx fragment: the
 * layout (res.locals.layout, set per area) is applied only when the request does not
 * come from htmx. Caches must keep the two apart, hence Vary.
 */
export function render(req: Request, res: Response, view: string, data: Record<string, unknown> = {}, status = 200) {
  // The preview (src/features/preview) shows the portal under its own base with a banner.
  const preview = req.preview ? { preview: { propertyId: req.preview.property.id }, portalBase: PREVIEW_BASE } : {};
  const locals = { ...res.locals, ...preview, ...data };
  const body = renderTemplate(view, locals);
  const layout: Layout = (data.layout as Layout) ?? res.locals.layout ?? 'public';
  const fromHtmx = req.get('hx-request') === 'true' && req.get('hx-history-restore-request') !== 'true';
  res.vary('HX-Request');
  res.status(status).type('html');
  const html = fromHtmx || layout === 'none' ? body : renderTemplate(`layouts/${layout}`, { ...locals, body });
  // A page no one may store (the console, the portal: noStore in src/auth/middleware.ts) is never
  // revalidated, so res.send's ETag would be a SHA-1 of every body for nothing (~0.02 ms).
  if (req.method !== 'HEAD' && /no-store/.test(String(res.getHeader('Cache-Control') ?? ''))) {
    const bytes = Buffer.from(html);
    res.setHeader('Content-Length', bytes.length);
    return void res.end(bytes);
  }
  res.send(html);
}
