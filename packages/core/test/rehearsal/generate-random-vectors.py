"""Golden vectors for core's SeededRandom, from an independent Python implementation.

xoshiro128** (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c)
seeded through splitmix32 exactly as packages/core/src/rehearsal/random.ts
documents it. Run from the repository root:

    python3 packages/core/test/rehearsal/generate-random-vectors.py \
        > packages/core/test/vectors/rehearsal-random.json
"""
import json

M32 = 0xFFFFFFFF


def splitmix32(x):
    z = (x + 0x9E3779B9) & M32
    z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
    z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
    return (z ^ (z >> 16)) & M32


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Xoshiro128:
    def __init__(self, seed, stream):
        lo = seed % 2**32
        hi = (seed // 2**32) & M32
        h = splitmix32(lo ^ splitmix32(hi ^ splitmix32(stream & M32)))
        h = splitmix32(h ^ ((stream // 2**32) & M32))
        self.s = [0, 0, 0, 0]
        self.s[0] = splitmix32(h)
        self.s[1] = splitmix32(self.s[0])
        self.s[2] = splitmix32(self.s[1])
        self.s[3] = splitmix32(self.s[2])
        if not any(self.s):
            self.s[0] = 1

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result

    def uniform(self):
        hi = self.next() >> 5
        lo = self.next() >> 6
        return (hi * 67108864 + lo) / 9007199254740992


cases = []
for seed, stream in [(0, 0), (1, 0), (1, 1), (42, 7), (2**40 + 5, 3), (123456789, 2**33 + 1)]:
    g = Xoshiro128(seed, stream)
    uint32 = [g.next() for _ in range(8)]
    g = Xoshiro128(seed, stream)
    uniform = [g.uniform() for _ in range(4)]
    cases.append({"seed": seed, "stream": stream, "uint32": uint32, "uniform": uniform})

print(json.dumps({
    "source": "independent Python implementation of xoshiro128** seeded by splitmix32 "
              "(packages/core/test/rehearsal/generate-random-vectors.py)",
    "cases": cases,
}, indent=2))
