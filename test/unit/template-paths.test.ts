import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Eta } from 'eta';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rememberTemplatePaths } from '../../src/http/views.ts';

/** src/http/views.ts: template paths remembered in production resolve as Eta resolves them. */
let views: string;
beforeAll(async () => {
  views = await mkdtemp(path.join(tmpdir(), 'hausportal-views-'));
  for (const folder of ['contacts', 'units']) {
    await mkdir(path.join(views, folder));
    await writeFile(path.join(views, folder, 'index.eta'), `<%~ include('./_results', it) %>`);
    await writeFile(path.join(views, folder, '_results.eta'), `${folder} results <%= it.n %>`);
  }
});
afterAll(() => rm(views, { recursive: true, force: true }));

describe('remembered template paths', () => {
  it('resolve the same relative include to each including folder’s own file, every time', () => {
    const eta = new Eta({ views, cache: true });
    rememberTemplatePaths(eta);
    for (let round = 0; round < 2; round++) {
      expect(eta.render('contacts/index', { n: round })).toBe(`contacts results ${round}`);
      expect(eta.render('units/index', { n: round })).toBe(`units results ${round}`);
    }
  });

  it('still refuse a template outside the views folder, the second time too', () => {
    const eta = new Eta({ views, cache: true });
    rememberTemplatePaths(eta);
    for (let round = 0; round < 2; round++) expect(() => eta.render('../outside', {})).toThrow(/not in the views directory/);
  });
});
