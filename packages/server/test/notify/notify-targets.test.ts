/** Where notify targets go: THRESHOLD_NOTIFY_<TARGET>, else THRESHOLD_NOTIFY_DEFAULT, else nowhere. */
import { envNotifyResolver, notifyVariable } from '@threshold/server';
import { describe, expect, it } from 'vitest';

describe('notify targets', () => {
  it('name one environment variable per target', () => {
    expect(notifyVariable('payments-oncall')).toBe('THRESHOLD_NOTIFY_PAYMENTS_ONCALL');
    expect(notifyVariable('#checkout-launch')).toBe('THRESHOLD_NOTIFY_CHECKOUT_LAUNCH');
    expect(notifyVariable('web.team@corp')).toBe('THRESHOLD_NOTIFY_WEB_TEAM_CORP');
    expect(notifyVariable('###')).toBe('THRESHOLD_NOTIFY_DEFAULT');
  });

  it('resolve a target, then the default; announcements go to the default only', () => {
    const resolve = envNotifyResolver({
      THRESHOLD_NOTIFY_PAYMENTS_ONCALL: 'https://hooks.example/pay',
      THRESHOLD_NOTIFY_DEFAULT: ' https://hooks.example/all ',
      THRESHOLD_NOTIFY_EMPTY: '',
    });
    expect(resolve('payments-oncall')).toBe('https://hooks.example/pay');
    expect(resolve('search-oncall')).toBe('https://hooks.example/all');
    expect(resolve('empty')).toBe('https://hooks.example/all');
    expect(resolve(undefined)).toBe('https://hooks.example/all');
    expect(envNotifyResolver({})('payments-oncall')).toBeUndefined();
  });
});
