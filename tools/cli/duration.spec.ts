import { parseDuration } from './duration';

describe(parseDuration.name, () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
  ])('reads %s as %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '30', 'm30', '10 m', '0s', '5x'])('rejects "%s"', (text) => expect(() => parseDuration(text)).toThrow(/bad duration/));
});
