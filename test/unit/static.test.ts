import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('static assets', () => {
  it('serve the pinned htmx 2.0.x from static/, identical to the installed package', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/htmx.org/package.json'), 'utf8'));
    const declared = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies['htmx.org'];
    expect(declared).toMatch(/^2\.0\.\d+$/);
    expect(pkg.version).toBe(declared);
    const served = readFileSync(path.join(ROOT, `static/vendor/htmx-${declared}.min.js`));
    expect(served.equals(readFileSync(path.join(ROOT, 'node_modules/htmx.org/dist/htmx.min.js')))).toBe(true);
  });

  it("serve htmx's pinned SSE extension from static/, identical to the installed package", () => {
    const declared = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).dependencies['htmx-ext-sse'];
    expect(declared).toMatch(/^2\.\d+\.\d+$/);
    const served = readFileSync(path.join(ROOT, `static/vendor/htmx-ext-sse-${declared}.min.js`));
    expect(served.equals(readFileSync(path.join(ROOT, 'node_modules/htmx-ext-sse/dist/sse.min.js')))).toBe(true);
    const view = readFileSync(path.join(ROOT, 'views/community/conversation.eta'), 'utf8');
    expect(view).toContain(`/static/vendor/htmx-ext-sse-${declared}.min.js`);
  });

  // The budget is what a phone downloads (gzip, as served behind any proxy) plus a cap on
  // the raw size, so that the one stylesheet stays a page of rules, not a framework. Raised
  // from 6/24 KiB when the design issue (17) added the portal layout, the console's two
  // columns and the report tables: the whole portal page stays within its 60 KB budget.
  it('keep the stylesheet small (no framework, no web fonts)', () => {
    const css = readFileSync(path.join(ROOT, 'static/app.css'), 'utf8');
    expect(gzipSync(css).length).toBeLessThan(8 * 1024);
    expect(Buffer.byteLength(css)).toBeLessThan(32 * 1024);
    expect(css).not.toMatch(/@font-face|@import/);
  });
});
