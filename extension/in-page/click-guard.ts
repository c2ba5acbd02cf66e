/**
 * Clickjacking guard for UI framed into a web page. The page can draw over our iframe (even with
 * `pointer-events: none`, so the user's click lands on us while they see something else) or make
 * it transparent. Intersection Observer v2 (`trackVisibility`) reports whether the browser itself
 * considers the frame unobscured and unaltered; a click counts only after the UI has been visible
 * that way for a moment. Browsers without v2 fall back to the delay alone.
 */

const SETTLE_MS = 400;

export function createClickGuard(target: Element): { allows(): boolean; dispose(): void } {
  const shownAt = performance.now();
  let visibleSince: number | null = null;
  let supported = false;
  const Observer = IntersectionObserver as unknown as new (
    cb: IntersectionObserverCallback,
    options: IntersectionObserverInit & { trackVisibility?: boolean; delay?: number },
  ) => IntersectionObserver;
  const observer = new Observer(
    (entries) => {
      for (const entry of entries) {
        const isVisible = (entry as IntersectionObserverEntry & { isVisible?: boolean }).isVisible;
        if (isVisible === undefined) continue;
        supported = true;
        if (isVisible) visibleSince ??= performance.now();
        else visibleSince = null;
      }
    },
    { threshold: [1], trackVisibility: true, delay: 100 },
  );
  observer.observe(target);
  return {
    allows() {
      const now = performance.now();
      if (now - shownAt < SETTLE_MS) return false;
      if (!supported) return true;
      return visibleSince !== null && now - visibleSince >= SETTLE_MS / 2;
    },
    dispose: () => observer.disconnect(),
  };
}
