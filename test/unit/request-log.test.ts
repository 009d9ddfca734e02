import { describe, expect, it } from 'vitest';
import { loggableUrl } from '../../server/lib/request-log.ts';

describe('the request log', () => {
  it.each([
    ['/verify-email?token=abc123', '/verify-email?token=[redacted]'],
    ['/password-reset/confirm?token=abc&x=1', '/password-reset/confirm?token=[redacted]&x=1'],
    ['/verify?x=1&_csrf=secret', '/verify?x=1&_csrf=[redacted]'],
    ['/recruitments?q=token%3D1', '/recruitments?q=token%3D1'],
  ])('keeps no mailed secret: %s', (url, logged) => {
    expect(loggableUrl(url)).toBe(logged);
  });
});
