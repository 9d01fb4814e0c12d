import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { AfterResponse } from '../../src/http/after-response.ts';
import { setLogLevel } from '../../src/log.ts';

// Only fork() is asked of the ORM; each piece of work gets its own fork.
let forks = 0;
const orm = { em: { fork: () => ({ fork: ++forks }) } } as unknown as Orm;
const afterResponse = new AfterResponse(orm);

/** What the work saw of its response, by the request's id. */
const seen = new Map<string, { finished: boolean; em: unknown }>();

let server: Server;
let baseUrl: string;
beforeAll(async () => {
  const app = express();
  app.get('/:id', (req, res) => {
    const id = req.params.id;
    afterResponse.schedule(res, `test ${id}`, async (em) => {
      seen.set(id, { finished: res.writableFinished, em });
      if (id === 'broken') throw new Error('the work failed');
    });
    res.send(`answer ${id}`);
  });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('work after the response', () => {
  it('runs only once the response has been sent, each piece with its own EntityManager', async () => {
    const answers = await Promise.all(['a', 'b'].map((id) => fetch(`${baseUrl}/${id}`).then((r) => r.text())));
    expect(answers).toEqual(['answer a', 'answer b']);
    await afterResponse.settled();
    expect(seen.get('a')?.finished).toBe(true);
    expect(seen.get('b')?.finished).toBe(true);
    expect(seen.get('a')?.em).not.toEqual(seen.get('b')?.em);
  });

  it('logs a failure of the work and goes on: the answer stands, the process and later work live on', async () => {
    setLogLevel('error');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const response = await fetch(`${baseUrl}/broken`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('answer broken');
      await expect(afterResponse.settled()).resolves.toBeUndefined();
      const logged = stderr.mock.calls.map(([line]) => String(line)).join('');
      expect(logged).toContain('ERROR test broken (after the response) failed');
      expect(logged).toContain('Error: the work failed');
    } finally {
      stderr.mockRestore();
    }
    expect(await (await fetch(`${baseUrl}/later`)).text()).toBe('answer later');
    await afterResponse.settled();
    expect(seen.get('later')?.finished).toBe(true);
  });
});
