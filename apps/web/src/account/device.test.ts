import { describe, expect, test } from 'vitest';
import { importMessage } from './account-api.ts';
import { describeDevice } from './device.ts';

describe('describeDevice', () => {
  test.each([
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36',
      'Chrome on Linux',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0',
      'Edge on Windows',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:133.0) Gecko/20100101 Firefox/133.0',
      'Firefox on macOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1',
      'Safari on iOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36',
      'Chrome on Android',
    ],
    ['node', 'Command line'],
    ['curl/8.5.0', 'curl'],
    ['', 'Unknown device'],
    [null, 'Unknown device'],
  ])('%s → %s', (agent, expected) => {
    expect(describeDevice(agent)).toBe(expected);
  });
});

describe('importMessage', () => {
  test('shows up to three of the API field messages', () => {
    const message = ['a: x', 'b: y', 'c: z', 'd: w', 'e: v'].join('; ');
    expect(importMessage({ error: { message } })).toBe(
      'This file cannot be imported (a: x; b: y; c: z and 2 more problems). Nothing was changed.',
    );
    expect(
      importMessage({ error: { message: 'todos: Invalid input: expected array, received string' } }),
    ).toBe(
      'This file cannot be imported (todos: Invalid input: expected array, received string). Nothing was changed.',
    );
    expect(importMessage({})).toBe('This file cannot be imported. Nothing was changed.');
  });
});
