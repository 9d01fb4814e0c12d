import type { Request, Response } from 'express';
import type { TFunction } from 'i18next';
import type { Em, Orm } from '../../db/orm.ts';
import { onLive } from '../../db/process-cache.ts';
import { scopeToOrganization } from '../../db/tenant.ts';
import { log } from '../../log.ts';
import { renderTemplate } from '../../http/views.ts';
import { markRead, messagesAfter, visibleMessage, type LivePayload, type MessageRow } from './service.ts';

/**
 * Direktnachrichten as they arrive, to open conversation pages (htmx's SSE extension,
 * static/vendor/htmx-ext-sse-*.min.js): each page holds one event stream; a sent message is
 * announced to every process through PostgreSQL NOTIFY (src/db/process-cache.ts publishLive,
 * on the embedded database within the one process), and each process renders it, escaped
 * like the page, for the streams of that conversation it holds, as the viewer may see it
 * (a withheld message only to its sender). The stream is no cache: what a page missed while
 * not connected it gets on connecting (`seit`, Last-Event-ID), and a reload shows everything.
 * Event streams are never compressed (src/http/compression.ts), so nothing waits in a buffer.
 */

type Stream = {
  viewerId: string;
  organizationId: string;
  conversationId: string;
  t: TFunction;
  base: string;
  names: Record<string, string>;
  sent: Set<string>;
  res: Response;
  end: () => void;
};

/** A stream lives at most this long; the browser's EventSource then connects again (through the scope, so access is asked again). */
const MAX_STREAM_MS = 15 * 60 * 1000;
const HEARTBEAT_MS = 25_000;

class LiveStreams {
  private readonly byConversation = new Map<string, Set<Stream>>();
  private readonly orm: Orm;

  constructor(orm: Orm) {
    this.orm = orm;
    onLive(orm, (payload) => void this.hear(payload));
  }

  private em(organizationId: string): Em {
    const em = this.orm.em.fork() as Em;
    scopeToOrganization(em, organizationId);
    return em;
  }

  add(stream: Stream) {
    const set = this.byConversation.get(stream.conversationId) ?? new Set();
    set.add(stream);
    this.byConversation.set(stream.conversationId, set);
  }

  remove(stream: Stream) {
    const set = this.byConversation.get(stream.conversationId);
    set?.delete(stream);
    if (set?.size === 0) this.byConversation.delete(stream.conversationId);
  }

  closeAll() {
    for (const set of this.byConversation.values()) for (const stream of set) stream.end();
    this.byConversation.clear();
  }

  private async hear(payload: string) {
    let message: LivePayload;
    try {
      message = JSON.parse(payload) as LivePayload;
    } catch {
      return;
    }
    if (message.kind !== 'direct-message') return;
    const streams = this.byConversation.get(message.conversationId);
    if (!streams?.size) return;
    for (const stream of [...streams]) {
      if (stream.organizationId !== message.organizationId) continue;
      try {
        await this.deliver(stream, message.messageId);
      } catch (error) {
        log.warn(`live stream: ${(error as Error).message}`);
      }
    }
  }

  /** Sends one new message, if the viewer sees it and has not been sent it yet. */
  private async deliver(stream: Stream, messageId: string) {
    if (stream.sent.has(messageId)) return;
    const em = this.em(stream.organizationId);
    const row = await visibleMessage(em, stream.viewerId, stream.conversationId, messageId);
    if (row) await this.sendAll(em, stream, [row]);
  }

  /** Sends what the viewer sees after `after` and has not been sent yet. */
  async catchUp(stream: Stream, after: Date) {
    const em = this.em(stream.organizationId);
    await this.sendAll(em, stream, await messagesAfter(em, { id: stream.viewerId }, stream.conversationId, after));
  }

  private async sendAll(em: Em, stream: Stream, rows: MessageRow[]) {
    const fresh = rows.filter((row) => !stream.sent.has(row.id));
    for (const row of fresh) write(stream, row);
    // The viewer has the conversation open: what they were shown counts as read.
    const received = fresh.filter((row) => row.senderId !== stream.viewerId);
    if (received.length > 0) await markRead(em, stream.viewerId, stream.conversationId, received.at(-1)!.createdAt);
  }
}

/** One SSE event: `data:` per line, so that no line break in the HTML (CR included) ends the event or starts a field. */
function write(stream: Stream, row: MessageRow) {
  stream.sent.add(row.id);
  const html = renderTemplate('community/_message', {
    t: stream.t,
    message: row,
    mine: row.senderId === stream.viewerId,
    names: stream.names,
    base: stream.base,
    conversationId: stream.conversationId,
  });
  const data = html
    .trim()
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n');
  stream.res.write(`id: ${row.createdAt.toISOString()}\nevent: message\n${data}\n\n`);
}

const registry = new WeakMap<object, LiveStreams>();

function streamsOf(orm: Orm): LiveStreams {
  let streams = registry.get(orm.config);
  if (!streams) {
    streams = new LiveStreams(orm);
    registry.set(orm.config, streams);
  }
  return streams;
}

/** Ends every open stream of this database in this process (shutdown: before the HTTP server closes). */
export function closeLiveStreams(orm: Orm) {
  registry.get(orm.config)?.closeAll();
}

/**
 * Answers a request with the event stream of one conversation for its viewer (already
 * checked by the route's scope), starting after `since` (the newest message the page shows).
 */
export async function openStream(
  req: Request,
  res: Response,
  input: { viewerId: string; organizationId: string; conversationId: string; base: string; names: Record<string, string>; since: Date },
) {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store, no-transform',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
  });
  res.flushHeaders();
  res.write('retry: 3000\n\n');
  const live = streamsOf(req.deps.orm as Orm);
  let ended = false;
  const stream: Stream = {
    ...input,
    t: req.t,
    sent: new Set(),
    res,
    end: () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      clearTimeout(lifetime);
      live.remove(stream);
      res.end();
    },
  };
  const heartbeat = setInterval(() => res.write(': \n\n'), HEARTBEAT_MS);
  const lifetime = setTimeout(stream.end, MAX_STREAM_MS);
  heartbeat.unref();
  lifetime.unref();
  req.on('close', stream.end);
  // Listen first, then catch up: a message sent in between comes twice and is sent once.
  live.add(stream);
  const lastEventId = req.get('last-event-id');
  const resumed = lastEventId ? new Date(lastEventId) : null;
  await live.catchUp(stream, resumed && !Number.isNaN(resumed.getTime()) ? resumed : input.since);
}
