import { hash, verify } from '@node-rs/argon2';

// argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane).
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** A hash of a password that never matches; verified against when no user exists, so
 *  "unknown e-mail" takes as long as "wrong password" and the two cannot be told apart. */
let dummyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  dummyHash ??= hash('no user has this password', OPTIONS);
  const target = passwordHash ?? (await dummyHash);
  try {
    const ok = await verify(target, password);
    return ok && Boolean(passwordHash);
  } catch {
    return false;
  }
}

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

/** Returns an i18n key of the problem with a new password, or null when it is acceptable. */
export function passwordProblem(password: string, repeat: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return 'auth:errors.passwordTooShort';
  if (password.length > PASSWORD_MAX_LENGTH) return 'auth:errors.passwordTooLong';
  if (password !== repeat) return 'auth:errors.passwordMismatch';
  return null;
}
