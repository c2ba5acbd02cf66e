import { neverSitesItem } from '../storage/items.ts';

/**
 * The "Never for this site" list (autofill-service.ts adds to it from the save prompt): the
 * settings page lists it, sorted, and removes a host from it. Removing a host that is not there is
 * not an error (another page may have removed it first): the list as it now is comes back.
 */
export async function listNeverSites(): Promise<string[]> {
  return [...(await neverSitesItem.getValue())].sort();
}

export async function removeNeverSite(host: string): Promise<string[]> {
  const list = await neverSitesItem.getValue();
  if (list.includes(host)) await neverSitesItem.setValue(list.filter((h) => h !== host));
  return listNeverSites();
}
