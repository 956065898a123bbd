/*
 * SplitMix64, the small pseudo-random generator behind every synthetic size and byte
 * of a generated home. Its algorithm is fixed here rather than borrowed from
 * java.util.Random or SplittableRandom, so the output cannot change with the JDK.
 */
package org.carbondump.harness;

final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long nextLong() {
        long z = (state += 0x9e3779b97f4a7c15L);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, bound); bound must be positive. */
    int nextInt(int bound) {
        return (int) ((nextLong() >>> 33) % bound);
    }

    /** Uniform in [0, 1). */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal, by the Box-Muller transform. */
    double nextGaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Fills buffer[0, length) with pseudo-random bytes. */
    void fill(byte[] buffer, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            long value = nextLong();
            for (int b = 0; b < 8; b++) {
                buffer[i + b] = (byte) (value >>> (8 * b));
            }
        }
        long value = nextLong();
        for (; i < length; i++, value >>>= 8) {
            buffer[i] = (byte) value;
        }
    }

    /** Picks one element. */
    <T> T pick(T[] items) {
        return items[nextInt(items.length)];
    }
}
