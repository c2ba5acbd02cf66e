/** Reads until `ok` holds or `timeout` passes, polling every `every` ms; returns the last read. */
export async function waitFor<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeout = 5_000,
  every = 50,
): Promise<T> {
  const deadline = Date.now() + timeout;
  let last = await read();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, every));
    last = await read();
  }
  return last;
}
