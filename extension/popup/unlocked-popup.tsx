import { t } from '../i18n/index.ts';
import type { VaultState } from '../messaging/protocol.ts';
import { SettingsForm } from '../settings/settings-form.tsx';
import { GeneratorScreen } from './generator-screen.tsx';
import { HealthScreen } from './health-screen.tsx';
import { ItemsScreen } from './items-screen.tsx';
import { MainTabs, type TabSpec } from './main-tabs.tsx';

interface Props {
  state: VaultState;
  onState: (s: VaultState) => void;
}

/** The popup of an unlocked vault: one tab per feature. */
export function UnlockedPopup({ state, onState }: Props) {
  const tabs: TabSpec[] = [
    { id: 'vault', label: t('tabs.vault'), panel: () => <ItemsScreen state={state} onState={onState} /> },
    { id: 'generator', label: t('generator.tab'), panel: () => <GeneratorScreen /> },
    { id: 'health', label: t('health.tab'), panel: () => <HealthScreen /> },
    { id: 'settings', label: t('settings.tab'), panel: () => <SettingsForm inPopup /> },
  ];
  return <MainTabs tabs={tabs} label={t('tabs.label')} />;
}
