/**
 * /metrics exposes the audit chain's head sequence, so the monitoring system
 * that scrapes it keeps an anchor outside the database: a head that goes down
 * means entries were deleted from the end.
 */
import { describe, expect, it } from 'vitest';
import { SIMPLE_PLAN } from './support/plans.js';
import { TEST_DATABASE_URL, startTestServer } from './support/test-server.js';

async function headSeqFollowsTheLog(postgres: boolean) {
  const t = await startTestServer({ postgres });
  try {
    const scrape = async () => {
      const res = await t.call('viewer', 'GET', '/metrics');
      expect(res.status).toBe(200);
      const m = /^threshold_audit_head_seq (\d+)$/m.exec(await res.text());
      return Number(m?.[1] ?? Number.NaN);
    };
    const before = (await t.server.store.auditHead())?.seq ?? 0;
    expect(await scrape()).toBe(before);
    const res = await t.call('operator', 'POST', '/api/v1/plans', SIMPLE_PLAN, {
      'content-type': 'application/yaml',
    });
    expect(res.status).toBe(201);
    const after = await t.server.store.auditHead();
    expect(after?.seq).toBeGreaterThan(before);
    expect(await scrape()).toBe(after?.seq);
  } finally {
    await t.close();
  }
}

describe('threshold_audit_head_seq', () => {
  it('follows the audit log on SQLite', () => headSeqFollowsTheLog(false));
  it.skipIf(TEST_DATABASE_URL === undefined)('follows the audit log on PostgreSQL', () =>
    headSeqFollowsTheLog(true),
  );
});
