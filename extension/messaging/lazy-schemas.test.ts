import { describe, expect, it, vi } from 'vitest';
import { lazyTable, once } from './lazy-schemas.ts';
import { requestSchemas } from './protocol-schemas.ts';

describe('once', () => {
  it('builds on the first call only, and returns that same value after', () => {
    const build = vi.fn(() => ({ built: true }));
    const get = once(build);
    expect(build).not.toHaveBeenCalled();
    const first = get();
    expect(get()).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('builds again after a build that threw (nothing half-built is kept)', () => {
    let calls = 0;
    const get = once(() => {
      calls++;
      if (calls === 1) throw new Error('first build fails');
      return calls;
    });
    expect(get).toThrow('first build fails');
    expect(get()).toBe(2);
    expect(get()).toBe(2);
  });
});

describe('lazyTable', () => {
  it('lists and answers hasOwn for every name without building any', () => {
    const a = vi.fn(() => 'a');
    const b = vi.fn(() => 'b');
    const table = lazyTable({ a, b });
    expect(Object.keys(table)).toEqual(['a', 'b']);
    expect(Object.hasOwn(table, 'b')).toBe(true);
    expect(Object.hasOwn(table, 'c')).toBe(false);
    expect(a).not.toHaveBeenCalled();
    expect(b).not.toHaveBeenCalled();
  });

  it('builds an entry when it is first read, once, and leaves the others unbuilt', () => {
    const a = vi.fn(() => ({ name: 'a' }));
    const b = vi.fn(() => ({ name: 'b' }));
    const table = lazyTable({ a, b });
    const first = table.a;
    expect(table.a).toBe(first);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).not.toHaveBeenCalled();
  });

  it('cannot be overwritten once built', () => {
    const table = lazyTable({ a: () => 1 });
    expect(table.a).toBe(1);
    expect(() => {
      (table as { a: number }).a = 2;
    }).toThrow(TypeError);
  });
});

describe('the request schemas', () => {
  it('are each built once, as the same schema on every read', () => {
    expect(requestSchemas.getState).toBe(requestSchemas.getState);
    expect(requestSchemas.listItems.parse({})).toMatchObject({ query: '', view: 'all' });
    // A request with a shared part (the email check) parses as before.
    expect(
      requestSchemas.login.parse({ serverUrl: 'https://a.test/', email: ' A@B.test ', password: 'p' }),
    ).toEqual({ serverUrl: 'https://a.test', email: 'a@b.test', password: 'p' });
  });
});
