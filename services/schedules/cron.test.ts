import { cronError } from './cron';

describe('cronError', () => {
  it.each([
    '*/5 * * * *',
    '0 12 * * MON-WED,FRI',
    '30 2 1 JAN-JUN/2 *',
    '0 0 * * 7',
    '15 10 * * * 2030',
    '*/10 * * * * * *',
    '@daily',
    '@every 90s',
    '@every 1h/15m',
    '0 9 * * 1-5 # weekdays at nine',
  ])('accepts %s', (expr) => expect(cronError(expr)).toBeUndefined());

  it.each([
    ['', /empty/],
    ['* * * *', /4 fields/],
    ['61 * * * *', /minute: 61 is outside 0-59/],
    ['0 24 * * *', /hour: 24/],
    ['0 0 0 * *', /day of month: 0/],
    ['0 0 * FOO *', /month: "FOO"/],
    ['0 0 * * 8', /day of week: 8/],
    ['*/0 * * * *', /step "0"/],
    ['5-1 * * * *', /backwards/],
    ['@sometimes', /is not one of/],
    ['CRON_TZ=Europe/Paris 0 9 * * *', /time_zone/],
    ['1,,2 * * * *', /not a value/],
  ])('refuses %s', (expr, message) => expect(cronError(expr)).toMatch(message));
});
