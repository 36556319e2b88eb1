import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { APPLIED_HASH_ANNOTATION, isSubset, needsApply, withAppliedHash } from './apply.js';

const desired = withAppliedHash({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'users', namespace: 'tenant-acme', labels: { a: '1' } },
  spec: { minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'Resource' }] },
} as KubernetesObject);

/** What the API server returns: everything applied plus defaults, status and metadata it adds. */
function live(overrides: Record<string, unknown> = {}): KubernetesObject {
  return {
    ...desired,
    metadata: { ...desired.metadata, uid: 'u', resourceVersion: '5', creationTimestamp: new Date(), labels: { a: '1', extra: 'x' } },
    spec: { ...(desired as { spec: object }).spec, behavior: { scaleUp: {} }, ...overrides },
    status: { currentReplicas: 2 },
  } as KubernetesObject;
}

describe('needsApply', () => {
  it('is false when the live object holds everything desired, whatever the server added', () => {
    expect(needsApply(desired, live())).toBe(false);
  });

  it('is true when the object is missing', () => {
    expect(needsApply(desired, undefined)).toBe(true);
  });

  it('is true when a desired field was edited by hand (drift)', () => {
    expect(needsApply(desired, live({ maxReplicas: 9 }))).toBe(true);
  });

  it('is true when the desired state changed, even if only by a field no longer set', () => {
    const stale = live();
    stale.metadata!.annotations = { [APPLIED_HASH_ANNOTATION]: 'older' };
    expect(needsApply(desired, stale)).toBe(true);
  });

  it('hashes content deterministically', () => {
    const unhashed: KubernetesObject = { ...desired, metadata: { ...desired.metadata, annotations: {} } };
    const again = withAppliedHash(unhashed);
    expect(again.metadata?.annotations?.[APPLIED_HASH_ANNOTATION]).toHaveLength(20);
  });
});

describe('isSubset', () => {
  it('compares lists element by element and requires the same length', () => {
    expect(isSubset([{ a: 1 }], [{ a: 1, b: 2 }])).toBe(true);
    expect(isSubset([{ a: 1 }], [{ a: 1 }, { a: 2 }])).toBe(false);
    expect(isSubset([1, 2], [2, 1])).toBe(false);
  });

  it('treats a number and its string form as equal (int-or-string fields)', () => {
    expect(isSubset({ port: 80 }, { port: '80' })).toBe(true);
    expect(isSubset({ port: 80 }, { port: '81' })).toBe(false);
  });

  it('ignores desired fields that are undefined', () => {
    expect(isSubset({ a: undefined, b: 1 }, { b: 1 })).toBe(true);
  });

  it('is false when a desired object is missing or a scalar differs', () => {
    expect(isSubset({ a: { b: 1 } }, { a: 'x' })).toBe(false);
    expect(isSubset({ a: true }, { a: false })).toBe(false);
  });
});
