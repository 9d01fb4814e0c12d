import { describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/http/loopback.ts';

describe('isLoopback', () => {
  it('knows 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (a server listening on ::)', () => {
    for (const address of ['127.0.0.1', '127.255.10.3', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
      expect(isLoopback(address), address).toBe(true);
    }
  });

  it('refuses every other address, and what is no address at all', () => {
    for (const address of [
      '192.0.2.2',
      '10.0.0.1',
      '0.0.0.0',
      '::',
      '::ffff:192.0.2.2',
      'fd00::2',
      '::127.0.0.1',
      '128.0.0.1',
      'localhost',
      'unknown',
      '127.0.0.1:80',
      '',
      undefined,
    ]) {
      expect(isLoopback(address), String(address)).toBe(false);
    }
  });
});
