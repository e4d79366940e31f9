import { describe, expect, test } from 'vitest';
import { DEFAULT_CHROMIUM, findChromium } from './testing-chromium.ts';

const onDisk =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

describe('findChromium', () => {
  test('CHROMIUM_PATH wins over the default when it exists', () => {
    expect(
      findChromium({ CHROMIUM_PATH: '/opt/chrome/chrome' }, onDisk('/opt/chrome/chrome', DEFAULT_CHROMIUM)),
    ).toEqual({ found: true, path: '/opt/chrome/chrome' });
  });

  test('without CHROMIUM_PATH (or with it empty) it is /usr/bin/chromium', () => {
    expect(findChromium({}, onDisk(DEFAULT_CHROMIUM))).toEqual({ found: true, path: '/usr/bin/chromium' });
    expect(findChromium({ CHROMIUM_PATH: '' }, onDisk(DEFAULT_CHROMIUM))).toEqual({
      found: true,
      path: '/usr/bin/chromium',
    });
  });

  test('a CHROMIUM_PATH that does not exist is a configuration mistake, not a fallback', () => {
    expect(findChromium({ CHROMIUM_PATH: '/nowhere/chrome' }, onDisk(DEFAULT_CHROMIUM))).toEqual({
      found: false,
      configured: true,
      message: 'CHROMIUM_PATH=/nowhere/chrome: no such file',
    });
  });

  test('with no Chromium at all the message names the variable and the default', () => {
    const lookup = findChromium({}, onDisk());
    expect(lookup).toMatchObject({ found: false, configured: false });
    if (lookup.found) throw new Error('expected no Chromium');
    expect(lookup.message).toContain('CHROMIUM_PATH');
    expect(lookup.message).toContain('/usr/bin/chromium');
  });
});
