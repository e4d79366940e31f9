/**
 * The hostile values every input generator of the property tests is built from: strings that
 * have broken parsers, drivers and SQL before, values of the wrong kind, keys nobody asked for,
 * and input objects made of them; and the seed and run count that make a run reproduce.
 * Test-only: imports fast-check.
 */
import fc from 'fast-check';

/** A fixed seed, so a failure reproduces; FUZZ_SEED picks another, FUZZ_RUNS_SCALE scales the runs. */
export const fuzzSeed = Number(process.env.FUZZ_SEED ?? 20_261_122);
export const fuzzRuns = (base: number) =>
  Math.max(1, Math.round(base * Number(process.env.FUZZ_RUNS_SCALE ?? 1)));

const nasty = [
  '',
  ' ',
  '\t\n\r',
  '\0',
  'a\0b',
  '\uD800',
  '\uDFFF',
  'x\uDC00y',
  '\u202Eevil\u202C',
  '\u200F\u0627\u0644\u0639\u0631\u0628\u064A\u0629',
  '\uFEFF',
  '\u00A0',
  '\u2028',
  '😀',
  '👩‍👩‍👧‍👦',
  'e\u0301',
  'İ',
  'ß',
  "'",
  '"',
  '\\',
  '%',
  '_',
  '%_\\%',
  "' or 1=1 --",
  "'; drop table todos; --",
  '$1',
  '$$',
  '::uuid',
  '\\x00',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '{{7*7}}',
  'NaN',
  '-1',
];

/** One character of anything: any code point, lone surrogates, NUL, controls, metacharacters. */
const hostileChar = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)) },
  { weight: 2, arbitrary: fc.constantFrom(...'%_\\\'";-*/()[]{}$`\u202E\u200B') },
);

/** Strings around every length limit (0, 1, 500, 501, 10,000, 10,001, 100,000) and of any content. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...nasty) },
  { weight: 4, arbitrary: fc.string({ unit: hostileChar, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(499, 500, 501, 9_999, 10_000, 10_001, 100_000), hostileChar)
      .map(([length, char]) => char.repeat(length).slice(0, length)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(' ', '\u3000', '\t'), fc.nat({ max: 600 }))
      .map(([c, n]) => c.repeat(n)),
  },
);

/** Any JSON-ish value of the wrong kind: numbers, booleans, null, arrays, objects, strings. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, 2 ** 53, Number.NaN) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }) },
);

/** Keys nobody asked for, including prototype-pollution classics. */
const extraKeys = fc.dictionary(
  fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'userId', 'user_id', 'id'),
    hostileString,
  ),
  hostileValue,
  { minKeys: 1, maxKeys: 2 },
);

/** Half the time a value of the expected kind, half the time anything at all. */
export const either = <T>(good: fc.Arbitrary<T>) => fc.oneof(good, hostileValue);

/** An input object: its fields each present or absent, sometimes with extra keys, sometimes not an object. */
export const inputObject = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record(fields, { requiredKeys: [] }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.record(fields, { requiredKeys: [] }), extraKeys)
        .map(([input, extra]) => ({ ...extra, ...input })),
    },
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
