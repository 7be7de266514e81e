import { ScheduleOverlapPolicy } from '@temporalio/client';
import { policyErrors, specErrors, toTemporalPolicies, toTemporalSpec } from './spec';

describe('schedule specs', () => {
  it('maps cron, intervals, time zone, jitter and bounds onto a Temporal ScheduleSpec (durations in ms)', () => {
    expect(
      toTemporalSpec({
        cron: '0 9 * * MON-FRI',
        intervals: [{ every: '15m', offset: '2m' }, { every: 'PT1H' }],
        time_zone: 'Europe/Berlin',
        jitter: '30s',
        start_at: '2027-01-01T00:00:00Z',
      }),
    ).toEqual({
      cronExpressions: ['0 9 * * MON-FRI'],
      intervals: [
        { every: 900_000, offset: 120_000 },
        { every: 3_600_000, offset: 0 },
      ],
      timezone: 'Europe/Berlin',
      jitter: 30_000,
      startAt: new Date('2027-01-01T00:00:00Z'),
    });
  });

  it('names every problem by pointer', () => {
    expect(
      specErrors(
        {
          cron: ['@daily', '0 25 * * *'],
          intervals: [{ every: '1h', offset: '2h' }],
          time_zone: 'Nowhere/Special',
          start_at: '2027-02-01T00:00:00Z',
          end_at: '2027-01-01T00:00:00Z',
        },
        '/body/spec',
      ).map((e) => e.pointer),
    ).toEqual(['/body/spec/cron/1', '/body/spec/intervals/0/offset', '/body/spec/time_zone', '/body/spec/end_at']);
    expect(specErrors({ cron: [] }, '/body/spec')).toEqual([
      { pointer: '/body/spec', message: 'needs at least one cron expression or interval' },
    ]);
  });

  it('maps policies, skip by default; a catch-up window under 10s is refused', () => {
    expect(toTemporalPolicies({})).toEqual({ overlap: ScheduleOverlapPolicy.SKIP, pauseOnFailure: false });
    expect(toTemporalPolicies({ overlap: 'buffer_all', catchup_window: '5m', pause_on_failure: true })).toEqual({
      overlap: ScheduleOverlapPolicy.BUFFER_ALL,
      catchupWindow: 300_000,
      pauseOnFailure: true,
    });
    expect(policyErrors({ catchup_window: '5s' }, '/body/policies')).toEqual([
      { pointer: '/body/policies/catchup_window', message: 'must be a duration of at least 10s' },
    ]);
  });
});
