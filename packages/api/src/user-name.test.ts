import { describe, expect, it } from 'vitest';
import { NAME_MAX_LENGTH, nameProblem, plainText } from './user-name.ts';

describe('names', () => {
  it('takes up to 100 characters of one line, in any script, emoji included', () => {
    for (const name of [
      'Ada',
      '',
      'Zoë O’Brien-Łukasz',
      '山田 太郎',
      'أحمد',
      '👩🏽‍💻 Ada',
      'x'.repeat(NAME_MAX_LENGTH),
      '😀'.repeat(100),
    ]) {
      expect(nameProblem(name), name).toBeNull();
    }
  });

  it('refuses more than 100 characters, and anything that is not text', () => {
    expect(nameProblem('x'.repeat(101))).toBe('Name must be at most 100 characters.');
    expect(nameProblem('😀'.repeat(101))).toBe('Name must be at most 100 characters.');
    for (const value of [undefined, null, 42, ['Ada'], { name: 'Ada' }]) {
      expect(nameProblem(value)).toBe('Name must be text.');
    }
  });

  it('refuses line breaks, control characters, reordering controls and broken surrogates', () => {
    for (const name of [
      'Ada\nLovelace',
      'Ada\r\nLovelace',
      'Ada\u2028Lovelace',
      'Ada\u2029Lovelace',
      'Ada\u0085Lovelace',
      'Ada\tLovelace',
      'Ada\u0000',
      'Ada\u001b[31m',
      'Ada\u007f',
      'Ada\u202Egnp.exe',
      'Ada\u2066x\u2069',
      'Ada\ud800',
    ]) {
      expect(nameProblem(name), JSON.stringify(name)).toBe(
        'Name must be one line of text, without control characters.',
      );
    }
  });

  it('plainText turns each run of them into one space', () => {
    expect(plainText('Ada\r\n\r\nSECURITY ALERT')).toBe('Ada SECURITY ALERT');
    expect(plainText('Zoë 👩🏽‍💻')).toBe('Zoë 👩🏽‍💻');
  });
});
