import type { InjectionToken } from '@nestjs/common';

/**
 * The processing clock (ms since the epoch): bounds event time, drives idle partitions and the commit
 * interval. Injected so that the consumer's spec moves it by hand.
 */
export type WallClock = () => number;
export const WALL_CLOCK: InjectionToken<WallClock> = Symbol('WALL_CLOCK');
