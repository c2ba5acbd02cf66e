import { storage } from 'wxt/utils/storage';

/** The health report's settings on this device (not secret): after how many days a password is "old". */
export interface HealthOptions {
  oldAfterDays: number;
}

export const healthOptionsItem = storage.defineItem<HealthOptions>('local:healthOptions', {
  fallback: { oldAfterDays: 365 },
  version: 1,
});
