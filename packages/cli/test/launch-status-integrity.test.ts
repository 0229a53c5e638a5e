import { describe, expect, it } from 'vitest';
import { integrityLine } from '../src/commands/launch-status.js';

const kiosk = { tokenId: 't1', name: 'kiosk-app', units: 900, share: 900 / 1100 };
const none = { 'arm-mismatch': 0, 'phase-not-live': 0, 'out-of-scope': 0, 'over-cap': 0 };

describe('launch status: evidence integrity', () => {
  it('says nothing when nothing was quarantined and no token dominates (or the server predates it)', () => {
    expect(integrityLine(undefined)).toBeNull();
    expect(
      integrityLine({ phase: 'canary', quarantined: none, tokens: [], dominant: null }),
    ).toBeNull();
  });

  it('names quarantined exposures per reason and the dominant token', () => {
    expect(
      integrityLine({
        phase: 'canary',
        quarantined: { ...none, 'arm-mismatch': 1240, 'over-cap': 100 },
        tokens: [kiosk, { tokenId: 't2', name: 'web', units: 200, share: 200 / 1100 }],
        dominant: kiosk,
      }),
    ).toBe(
      "evidence: 1,340 exposures quarantined (arm-mismatch 1,240, over-cap 100); token kiosk-app supplied 81.8% of canary's units",
    );
  });
});
