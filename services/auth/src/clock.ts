/** Milliseconds since the epoch; injected so tests can move time. */
export type Clock = () => number;

export const CLOCK = Symbol('np.auth.clock');

export const systemClock: Clock = () => Date.now();
