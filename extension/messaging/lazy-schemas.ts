/**
 * Zod schemas built on first use, not at import. Building one costs from tens of microseconds to a
 * millisecond (zod's classic API binds every method to every instance), the service worker holds a
 * few hundred, and its cold start needs only the two that check the popup's first messages before
 * the list can show (docs/performance.md). A table's entries are built once, when first read.
 */

/** A value built by `build` the first time it is asked for, then kept. */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

/**
 * An object with one property per builder, each built when first read (then a plain value).
 * `Object.keys` and `Object.hasOwn` see every name without building anything.
 */
export function lazyTable<B extends Record<string, () => unknown>>(
  builders: B,
): { readonly [K in keyof B]: ReturnType<B[K]> } {
  const table = {} as { [K in keyof B]: ReturnType<B[K]> };
  for (const name of Object.keys(builders)) {
    const build = builders[name] as () => unknown;
    Object.defineProperty(table, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = build();
        Object.defineProperty(table, name, { value, enumerable: true, configurable: false, writable: false });
        return value;
      },
    });
  }
  return table;
}
