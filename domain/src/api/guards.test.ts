import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guardAge, guardProfileBody, isOverAge, LICENCE_PATTERN, maskLicence } from './guards.js';

describe('guards', () => {
  it('counts age by year of birth and is over-age only above the limit', () => {
    expect(guardAge(1966, 2026)).toBe(60);
    expect(isOverAge(1966, 2026, 60)).toBe(false);
    expect(isOverAge(1965, 2026, 60)).toBe(true);
    expect(isOverAge(null, 2026, 60)).toBe(false);
  });

  it('over-age is monotonic: an older guard or a lower limit never turns it off', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2100 }),
        fc.integer({ min: 1900, max: 2100 }),
        fc.integer({ min: 16, max: 100 }),
        fc.integer({ min: 0, max: 30 }),
        (birthYear, year, maxAge, delta) => {
          if (isOverAge(birthYear, year, maxAge)) {
            expect(isOverAge(birthYear - delta, year, maxAge)).toBe(true);
            expect(isOverAge(birthYear, year, maxAge - delta)).toBe(true);
          }
        },
      ),
    );
  });

  it('masks a licence number to its last four characters at most', () => {
    expect(maskLicence('BA3201-778899')).toBe('****8899');
    expect(maskLicence('AB12')).toBe('****');
    expect(maskLicence(null)).toBeNull();
    fc.assert(
      fc.property(fc.stringMatching(LICENCE_PATTERN), (licence) => {
        const masked = maskLicence(licence)!;
        expect(masked.startsWith('****')).toBe(true);
        expect(masked.length).toBeLessThanOrEqual(8);
        if (licence.length > 4) expect(masked.slice(4)).toBe(licence.slice(-4));
      }),
    );
  });

  it('the profile body keeps only what the form needs and refuses the rest', () => {
    expect(guardProfileBody.safeParse({ licensed: true, birthYear: 1980 }).success).toBe(true);
    expect(
      guardProfileBody.safeParse({ licensed: true, birthYear: 1980, licenceNo: ' AB-1234 ' }).data?.licenceNo,
    ).toBe('AB-1234');
    for (const body of [
      { licensed: true, birthYear: 1980, idNumber: '320102198001010011' },
      { licensed: true, birthYear: 1980, birthDate: '1980-01-01' },
      { licensed: true, birthYear: 19.5 },
      { licensed: true, birthYear: 1980, licenceNo: '证号1234' },
      { licensed: true, birthYear: 1980, licenceNo: 'A\u0000BCD' },
    ])
      expect(guardProfileBody.safeParse(body).success, JSON.stringify(body)).toBe(false);
  });
});
