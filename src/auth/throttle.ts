import type { Em } from '../db/orm.ts';
import { LoginThrottle } from '../entities/index.ts';

/**
 * Login throttling in a small table, so that it holds across several server instances.
 *
 * Per account: after ACCOUNT_LIMIT failures within the window, the account refuses every
 * attempt (even the right password) until the window ends. A brute-force run therefore
 * gets ACCOUNT_LIMIT guesses per WINDOW, and the real owner waits at most WINDOW.
 * Per IP: a looser limit stops one address from trying many accounts.
 */
export const THROTTLE = {
  windowMs: 5 * 60 * 1000,
  accountLimit: 8,
  ipLimit: 40,
};

/**
 * "Passwort vergessen?" (src/features/login): an address gets at most ADDRESS_LIMIT reset
 * mails per ADDRESS_WINDOW, so nobody can flood a mailbox with them; further requests get
 * the same answer and send nothing. One IP address may ask IP_LIMIT times per IP_WINDOW, so
 * nobody can flood many mailboxes; beyond that it gets a 429 that names no address.
 * The README's security section states these figures.
 */
export const RESET_THROTTLE = {
  addressLimit: 3,
  addressWindowMs: 60 * 60 * 1000,
  ipLimit: 20,
  ipWindowMs: 15 * 60 * 1000,
};

/** The longest window of any counter: pruning must not forget a counter whose window still runs. */
const LONGEST_WINDOW_MS = Math.max(THROTTLE.windowMs, RESET_THROTTLE.addressWindowMs, RESET_THROTTLE.ipWindowMs);

export function accountKey(area: string, email: string) {
  return `account:${area}:${email.trim().toLowerCase()}`;
}
export function ipKey(ip: string) {
  return `ip:${ip}`;
}
/** Reset mails to one mailbox, whichever area asked: the flood lands in the same inbox. */
export function resetAddressKey(email: string) {
  return `reset:${email.trim().toLowerCase()}`;
}
export function resetIpKey(ip: string) {
  return `reset-ip:${ip}`;
}

/** Whole minutes until a refused client may try again (at least one), for its message. */
export function minutesUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
}

/** Returns the time until which any of the keys is locked, or null when login may proceed. */
export async function lockedUntil(em: Em, keys: string[], now: Date): Promise<Date | null> {
  const rows = await em.find(LoginThrottle, { key: { $in: keys }, lockedUntil: { $gt: now } });
  if (rows.length === 0) return null;
  return new Date(Math.max(...rows.map((r) => r.lockedUntil!.getTime())));
}

/**
 * Counts one attempt for each key (atomically) *before* the password is checked, and locks
 * keys that reach their limit. Counting first means parallel attempts cannot all pass the
 * lock check before any failure is recorded. Returns the lock end when a key is already
 * over its limit: that attempt must not be evaluated. A successful login gives its count
 * back (clearFailures for the account, refundAttempt for the IP). A key counts in windows
 * of `windowMs` (the login's by default).
 */
export async function countAttempt(em: Em, keys: { key: string; limit: number; windowMs?: number }[], now: Date): Promise<Date | null> {
  let refusedUntil: Date | null = null;
  for (const { key, limit, windowMs = THROTTLE.windowMs } of keys) {
    const windowStart = new Date(now.getTime() - windowMs);
    const lockUntil = new Date(now.getTime() + windowMs);
    const [row] = await em.execute<{ failures: number; locked_until: Date | string | null }[]>(
      `insert into login_throttle (key, failures, window_started_at, locked_until)
       values (?, 1, ?, null)
       on conflict (key) do update set
         failures = case when login_throttle.window_started_at < ? then 1 else login_throttle.failures + 1 end,
         window_started_at = case when login_throttle.window_started_at < ? then excluded.window_started_at else login_throttle.window_started_at end,
         locked_until = case
           when login_throttle.window_started_at >= ? and login_throttle.failures + 1 >= ? then ?::timestamptz
           else login_throttle.locked_until end
       returning failures, locked_until`,
      [key, now, windowStart, windowStart, windowStart, limit, lockUntil],
      'all',
    );
    if (Number(row.failures) > limit) {
      const until = row.locked_until ? new Date(row.locked_until) : lockUntil;
      if (!refusedUntil || until > refusedUntil) refusedUntil = until;
    }
  }
  return refusedUntil;
}

/** Takes back the attempt of a successful login from a key (the IP's), lifting a lock it caused. */
export async function refundAttempt(em: Em, key: string, limit: number): Promise<void> {
  await em.execute(
    `update login_throttle set
       failures = greatest(failures - 1, 0),
       locked_until = case when failures - 1 < ? then null else locked_until end
     where key = ?`,
    [limit, key],
  );
}

/** A successful login clears the account's counter (not the IP's). */
export async function clearFailures(em: Em, key: string): Promise<void> {
  await em.execute(`delete from login_throttle where key = ?`, [key]);
}

/** Forgets counters whose window and lock are over; run by the session clean-up job. */
export async function pruneThrottle(em: Em, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - LONGEST_WINDOW_MS);
  await em.execute(`delete from login_throttle where window_started_at < ? and (locked_until is null or locked_until < ?)`, [windowStart, now]);
}
