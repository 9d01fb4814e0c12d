import { BlockList, isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { NotFoundError } from './errors.ts';

/** 127.0.0.0/8 and ::1; BlockList also matches IPv4-mapped IPv6 (::ffff:127.0.0.1) against the IPv4 rule. */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether an address is this machine's loopback; anything that is no IP address is not. */
export function isLoopback(address: string | undefined): boolean {
  const family = address ? isIP(address) : 0;
  if (family === 0) return false;
  return LOOPBACK.check(address!, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The clients a forwarding proxy names: X-Forwarded-For, X-Real-IP and the `for=` of
 * Forwarded (RFC 7239, quoted, IPv6 in brackets, maybe with a port).
 */
function forwardedClients(req: Request): string[] {
  const clients: string[] = [];
  for (const header of [req.get('x-forwarded-for'), req.get('x-real-ip')]) {
    if (header) clients.push(...header.split(',').map((part) => part.trim()));
  }
  for (const [, value] of (req.get('forwarded') ?? '').matchAll(/for\s*=\s*"?([^";,]*)"?/gi)) {
    clients.push(
      value
        .trim()
        .replace(/^\[([^\]]*)\].*$/, '$1')
        .replace(/^([\d.]+):\d+$/, '$1'),
    );
  }
  return clients;
}

/**
 * Guard of the development pages (/dev): only a browser on this machine sees them, since
 * they show the mails with their password-reset and invitation links and the server listens
 * on every interface by default. Decided on the socket's peer, never on req.ip: `trust proxy`
 * believes a loopback proxy's X-Forwarded-For, and a proxy on this machine passes on
 * requests from anywhere, so a forwarded client that is not loopback is refused too.
 * Anyone else gets the plain 404 of a page that does not exist.
 */
export function loopbackOnly(req: Request, _res: Response, next: NextFunction) {
  const local = isLoopback(req.socket.remoteAddress) && forwardedClients(req).every(isLoopback);
  if (!local)
    return next(
      new NotFoundError(
        `${req.method} ${req.originalUrl} from ${req.socket.remoteAddress} (${req.get('x-forwarded-for') ?? 'not forwarded'}): /dev answers only loopback`,
      ),
    );
  next();
}
