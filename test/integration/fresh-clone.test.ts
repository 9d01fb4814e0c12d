import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The README's first command as a newcomer meets it: a clean clone of what is committed,
 * the machine's own Node first on the PATH (20 on this project's machines, which cannot run
 * TypeScript), `npm install && npm start`, and the login page answers. The project's pinned
 * Node 24 (the `node` npm package in node_modules/.bin) is what makes that work.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

/** The PATH without any node_modules/.bin, as in a shell that never ran an npm script. */
const STOCK_PATH = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((dir) => !dir.includes(`node_modules${path.sep}.bin`))
  .join(path.delimiter);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

let clone: string;
beforeAll(async () => {
  clone = await mkdtemp(path.join(tmpdir(), 'hausportal-clone-'));
});
afterAll(() => rm(clone, { recursive: true, force: true }));

describe.skipIf(!existsSync(path.join(ROOT, '.git')))('a fresh clone with the machine’s own Node', () => {
  it('runs `npm install && npm start` as the README says, and the login page answers', { timeout: 600_000 }, async () => {
    const env = { PATH: STOCK_PATH, HOME: process.env.HOME ?? '', npm_config_cache: process.env.npm_config_cache ?? '' };
    if (!env.npm_config_cache) delete (env as Record<string, string>).npm_config_cache;
    const stockNode = execFileSync('node', ['--version'], { env, encoding: 'utf8' }).trim();
    console.log(`stock Node on the PATH: ${stockNode}`);

    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', ROOT, clone]);
    await run('npm', ['install', '--no-audit', '--no-fund'], clone, env);
    expect(execFileSync(path.join(clone, 'node_modules/.bin/node'), ['--version'], { encoding: 'utf8' })).toMatch(/^v24\./);

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const server = spawn('npm', ['start'], {
      cwd: clone,
      env: { ...env, PORT: String(port), BASE_URL: baseUrl, JOBS: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    try {
      let page: Response | undefined;
      for (let i = 0; i < 600 && server.exitCode === null; i++) {
        page = await fetch(`${baseUrl}/verwaltung/anmelden`).catch(() => undefined);
        if (page) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(page?.status, output).toBe(200);
      expect(await page!.text()).toContain('name="password"');
      expect(output).toContain('verwalter@sonnenschein-hv.de');
    } finally {
      // npm start runs node as its child: end the whole group.
      try {
        process.kill(-server.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
});
