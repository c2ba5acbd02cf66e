import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';

/**
 * The unlocked popup's top-level tabs: real tab panels (WAI-ARIA tabs pattern). Arrow keys, Home and
 * End move between tabs; only the selected tab is in the Tab order. Each feature adds its tab to
 * `tabs` in popup/unlocked-popup.tsx; a panel is rendered only while selected.
 */
export interface TabSpec {
  id: string;
  label: string;
  panel: () => ComponentChildren;
}

export function MainTabs({ tabs, label, initial }: { tabs: TabSpec[]; label: string; initial?: string }) {
  const [selected, setSelected] = useState(initial ?? tabs[0]?.id ?? '');
  const buttons = useRef<Record<string, HTMLButtonElement | null>>({});
  const current = tabs.find((tab) => tab.id === selected) ?? tabs[0];
  const move = (from: number, to: number) => {
    const next = tabs[(to + tabs.length) % tabs.length];
    if (!next || from === to) return;
    setSelected(next.id);
    buttons.current[next.id]?.focus();
  };
  return (
    <>
      <div role="tablist" aria-label={label} class="main-tabs">
        {tabs.map((tab, i) => (
          <button
            type="button"
            role="tab"
            key={tab.id}
            id={`tab-${tab.id}`}
            ref={(el) => {
              buttons.current[tab.id] = el;
            }}
            aria-selected={tab.id === current?.id}
            aria-controls={`panel-${tab.id}`}
            tabIndex={tab.id === current?.id ? 0 : -1}
            onClick={() => setSelected(tab.id)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight') move(i, i + 1);
              else if (e.key === 'ArrowLeft') move(i, i - 1);
              else if (e.key === 'Home') move(i, 0);
              else if (e.key === 'End') move(i, tabs.length - 1);
              else return;
              e.preventDefault();
            }}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {current && (
        <div role="tabpanel" id={`panel-${current.id}`} aria-labelledby={`tab-${current.id}`}>
          {current.panel()}
        </div>
      )}
    </>
  );
}
