/** Wall-clock time in epoch ms, injected so that tests fix it. */
export const CLOCK = Symbol('CLOCK');
export type Clock = () => number;
