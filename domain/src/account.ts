/** Lockout and idle-timeout rules of the security baseline, as pure functions of time. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;
export const IDLE_TIMEOUT_MINUTES = 30;

export interface LoginCounters {
  failedLogins: number;
  lockedUntil: Date | null;
}

export function isLocked(account: LoginCounters, now: Date): boolean {
  return account.lockedUntil !== null && account.lockedUntil.getTime() > now.getTime();
}

/** Counters after a failed attempt: the fifth failure in a row locks the account. */
export function afterFailedLogin(account: LoginCounters, now: Date, lockoutMinutes = LOCKOUT_MINUTES): LoginCounters {
  // A lock that has run out starts a fresh count.
  const previous = account.lockedUntil && account.lockedUntil <= now ? 0 : account.failedLogins;
  const failedLogins = previous + 1;
  if (failedLogins >= MAX_FAILED_LOGINS) {
    return { failedLogins, lockedUntil: new Date(now.getTime() + lockoutMinutes * 60_000) };
  }
  return { failedLogins, lockedUntil: null };
}

export function afterSuccessfulLogin(): LoginCounters {
  return { failedLogins: 0, lockedUntil: null };
}

export function isIdleExpired(lastSeenAt: Date, now: Date, idleMinutes = IDLE_TIMEOUT_MINUTES): boolean {
  return now.getTime() - lastSeenAt.getTime() > idleMinutes * 60_000;
}

/** Mask a mainland phone number for lists: 13812345678 → 138****5678. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  if (phone.length <= 7) return `${phone.slice(0, 1)}****`;
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** Mask an ID card number: keep the first 6 and last 4 characters. */
export function maskIdNumber(idNumber: string | null | undefined): string | null {
  if (!idNumber) return null;
  if (idNumber.length <= 10) return '*'.repeat(idNumber.length);
  return `${idNumber.slice(0, 6)}${'*'.repeat(idNumber.length - 10)}${idNumber.slice(-4)}`;
}
