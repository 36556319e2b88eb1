import { describe, expect, it } from '@jest/globals';
import { formatCpu, formatMemory, parseQuantity, sumQuantity } from './quantities.js';

describe('quantities', () => {
  it('parses the suffixes Kubernetes accepts', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('256Mi')).toBe(256 * 2 ** 20);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity(3)).toBe(3);
    expect(() => parseQuantity('lots')).toThrow('not a quantity');
  });

  it('formats sums the way the API server stores them', () => {
    expect(formatCpu(sumQuantity([{ quantity: '500m', times: 2 }]))).toBe('1');
    expect(formatCpu(0.25)).toBe('250m');
    expect(formatMemory(sumQuantity([{ quantity: '512Mi', times: 2 }]))).toBe('1Gi');
    expect(formatMemory(300 * 2 ** 20)).toBe('300Mi');
  });
});
