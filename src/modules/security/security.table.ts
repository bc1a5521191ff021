/** Consecutive login failures per canonical identifier (S8). */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  blocked_until: number;
  updated_at: number;
}

/** Fixed-window counters shared by every instance through the database (S9, S15, S17, S33). */
export interface RateCounterTable {
  key: string;
  count: number;
  expires_at: number;
}

/** Server-side secrets generated once and shared by every instance. */
export interface SettingTable {
  key: string;
  value: string;
}
