// otplib and qrcode load on first use: only TOTP users and enrolments need them.

const PERIOD_SECONDS = 30;

export async function newTotpSecret(): Promise<string> {
  const { generateSecret } = await import('otplib');
  return generateSecret();
}

export async function totpEnrolment(secret: string, username: string) {
  const [{ generateURI }, { default: QRCode }] = await Promise.all([import('otplib'), import('qrcode')]);
  const otpauthUrl = generateURI({ issuer: '平安校园', label: username, secret });
  const qrDataUrl = await QRCode.toDataURL(otpauthUrl, { margin: 1, width: 220 });
  return { secret, otpauthUrl, qrDataUrl };
}

/**
 * Checks a code with one step of clock drift either way and refuses a step already used,
 * so a code seen over someone's shoulder cannot be replayed. Returns the step used, or null.
 */
export async function checkTotp(
  secret: string,
  code: string,
  lastStep: number | null,
  now = Date.now(),
): Promise<number | null> {
  const { verify } = await import('otplib');
  const epoch = Math.floor(now / 1000);
  const result = await verify({
    secret,
    token: code,
    epoch,
    epochTolerance: PERIOD_SECONDS,
    ...(lastStep !== null ? { afterTimeStep: lastStep } : {}),
  });
  if (!result.valid) return null;
  return Math.floor(epoch / PERIOD_SECONDS) + result.delta;
}
