import { describe, it } from '@jest/globals';
import { type Shape, shapeUnderTest } from './platform.js';

const cluster = shapeUnderTest() === 'cluster';

/** How long a spec's `beforeAll` waits for its platform: a Tenant on the node takes a minute or more. */
export const PLATFORM_STARTUP_MS = cluster ? 420_000 : 120_000;
/** How long its `afterAll` waits: a Tenant's deletion takes its namespace and its servers' share. */
export const PLATFORM_CLOSE_MS = cluster ? 300_000 : 60_000;

/**
 * `it` in the shapes listed, `it.skip` in the others: the test needs a handle or a behaviour only
 * those shapes have (say which in a comment where it is used).
 */
export function itIn(...shapes: Shape[]): typeof it {
  return shapes.includes(shapeUnderTest()) ? it : (it.skip as typeof it);
}

/** `describe` in the shapes listed, `describe.skip` in the others. */
export function describeIn(...shapes: Shape[]): typeof describe {
  return shapes.includes(shapeUnderTest()) ? describe : (describe.skip as typeof describe);
}
