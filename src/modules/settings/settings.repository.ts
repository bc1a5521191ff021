import type { Executor } from '../../db/executor.js';

/** Server-side secrets and values generated once and shared by every instance. */
export interface SettingTable {
  key: string;
  value: string;
}

export async function findSetting(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function insertSettingIfAbsent(db: Executor, key: string, value: string): Promise<void> {
  await db.insertInto('settings').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
}
