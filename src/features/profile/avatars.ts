/**
 * The built-in avatars (static/avatars/<name>.svg), offered when a user has no photo. Small
 * SVGs of our own, drawn without text, so no name or initial leaks into them.
 */
export const AVATARS = ['sonne', 'haus', 'baum', 'welle', 'berg', 'stern'] as const;
export type Avatar = (typeof AVATARS)[number];

export function isAvatar(value: string): value is Avatar {
  return (AVATARS as readonly string[]).includes(value);
}

export const avatarUrl = (avatar: string) => `/static/avatars/${avatar}.svg`;
