import type { Executor } from '../../db/executor.js';
import { randomToken } from '../../shared/crypto.js';
import * as repo from './settings.repository.js';

/** A server secret made once and shared by every instance (the CSRF key): the first to start writes it. */
export async function loadOrCreateSecret(db: Executor, key: string): Promise<string> {
  await repo.insertSettingIfAbsent(db, key, randomToken(32));
  const value = await repo.findSetting(db, key);
  if (!value) throw new Error(`setting ${key} could not be created`);
  return value;
}
