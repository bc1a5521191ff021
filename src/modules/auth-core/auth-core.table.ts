/** One limited key (`login-ip:203.0.113.7`): the times of its uses still inside the window (S9, S15, S17, S33). */
export interface RateLimitTable {
  key: string;
  /** JSON array of epoch-ms times, oldest first, at most the limit's size. */
  hits: string;
  /** When the newest use leaves the window: the row is worthless after it (retention). */
  expires_at: number;
}

/** Consecutive failures per canonical identifier (S8): customer code, `staff:<e-mail>`. */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  blocked_until: number;
  updated_at: number;
}
