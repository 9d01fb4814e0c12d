import type { NextFunction, Request, Response } from 'express';

/**
 * After every successful form the address bar shows the page displayed, with and without
 * JavaScript. Forms answer success with a 303 to the next page (CONVENTIONS 7): a browser
 * without JavaScript follows it and shows its URL. An htmx request's XMLHttpRequest follows
 * it silently instead, swaps the page in and leaves the form's URL in the address bar (a
 * reload showed an empty "Neuer Termin" form). So a redirect answering an htmx request that
 * is not a GET becomes `HX-Location`: htmx fetches the page itself, swaps it into the same
 * target (innerHTML, as every form sent through htmx swaps) and pushes its URL. Without a
 * target to swap into, `HX-Redirect` loads the page whole.
 *
 * One middleware for every route, so no form can forget it; test/integration/form-answers.test.ts
 * walks the route registry's POST routes.
 */
export function htmxFollowsRedirects(req: Request, res: Response, next: NextFunction) {
  if (req.method === 'GET' || req.method === 'HEAD' || req.get('hx-request') !== 'true' || req.get('hx-history-restore-request') === 'true') return next();
  const redirect = res.redirect.bind(res) as (status: number, url: string) => void;
  res.redirect = ((first: number | string, second?: number | string) => {
    const [status, url] = typeof first === 'number' ? [first, String(second)] : typeof second === 'number' ? [second, first] : [302, first];
    if (status < 300 || status > 399) return redirect(status, url);
    const target = req.get('hx-target');
    if (target) res.set('HX-Location', JSON.stringify({ path: url, target: `#${target}` }));
    else res.set('HX-Redirect', url);
    res.status(204).end();
  }) as Response['redirect'];
  next();
}
