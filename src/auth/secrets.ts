import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets Hausportal must be able to read back (a Verwaltung's OpenID Connect client secret,
 * a staff member's TOTP key) are stored sealed with AES-256-GCM under a key from the
 * environment: `SECRETS_KEY` (32 bytes, base64 or hex), else one derived from
 * `SESSION_SECRET` with HKDF. A database dump alone reveals none of them; a changed key makes
 * them unreadable (they are then set anew), never silently wrong (GCM authenticates).
 */
export type SecretBox = { seal(plain: string): string; open(sealed: string): string | null };

const VERSION = 'v1';

/** The 32-byte key: SECRETS_KEY as given, or derived from the session secret. */
export function secretsKey(secretsKeySetting: string | undefined, sessionSecret: string): Buffer {
  if (secretsKeySetting) {
    const raw = /^[0-9a-f]{64}$/i.test(secretsKeySetting) ? Buffer.from(secretsKeySetting, 'hex') : Buffer.from(secretsKeySetting, 'base64');
    if (raw.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes (64 hex digits or base64)');
    return raw;
  }
  return Buffer.from(hkdfSync('sha256', sessionSecret, 'hausportal', 'hausportal:stored-secrets:v1', 32));
}

export function secretBox(key: Buffer): SecretBox {
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
