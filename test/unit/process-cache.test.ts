import { describe, expect, it } from 'vitest';
import { TaggedCache } from '../../src/db/process-cache.ts';

describe('TaggedCache (src/db/process-cache.ts)', () => {
  const on = () => true;

  it('keeps at most maxEntries, dropping the one stored longest ago', () => {
    const cache = new TaggedCache<number>(2, 60_000, on);
    cache.set('a', 1, [], cache.generation);
    cache.set('b', 2, [], cache.generation);
    cache.set('c', 3, [], cache.generation);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
    expect(cache.size).toBe(2);
  });

  it('evicts by tag, and only what carries it', () => {
    const cache = new TaggedCache<string>(10, 60_000, on);
    cache.set('u1|day', 'x', ['organization:o1', 'portal-user:u1'], cache.generation);
    cache.set('u2|day', 'y', ['organization:o1', 'portal-user:u2'], cache.generation);
    cache.set('u3|day', 'z', ['organization:o2', 'portal-user:u3'], cache.generation);
    cache.evict(['portal-user:u2']);
    expect([cache.get('u1|day'), cache.get('u2|day'), cache.get('u3|day')]).toEqual(['x', undefined, 'z']);
    cache.evict(['organization:o1']);
    expect([cache.get('u1|day'), cache.get('u3|day')]).toEqual([undefined, 'z']);
  });

  it('does not store an answer loaded before an eviction (it may predate the change)', () => {
    const cache = new TaggedCache<string>(10, 60_000, on);
    const before = cache.generation;
    cache.evict(['organization:o1']);
    cache.set('k', 'stale', ['organization:o1'], before);
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', 'fresh', ['organization:o1'], cache.generation);
    expect(cache.get('k')).toBe('fresh');
  });

  it('forgets an entry whose time is up', () => {
    const cache = new TaggedCache<string>(10, 0, on);
    cache.set('k', 'v', [], cache.generation);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('answers nothing and stores nothing while it cannot hear evictions', () => {
    let hearing = true;
    const cache = new TaggedCache<string>(10, 60_000, () => hearing);
    cache.set('k', 'v', [], cache.generation);
    hearing = false;
    expect(cache.get('k')).toBeUndefined();
    cache.set('j', 'w', [], cache.generation);
    hearing = true;
    expect(cache.get('j')).toBeUndefined();
  });
});
