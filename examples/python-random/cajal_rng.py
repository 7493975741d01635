"""An exact port of Cajal's harness/rng.ts (the `Rng` class), so a Python method draws the same numbers as the
TypeScript one for the same seed: sha256 seeding, sfc32 with 32-bit wraparound, Box-Muller with the cached spare.

Every operation is the same IEEE-754 double operation in the same order as in JavaScript; sfc32 is integer
arithmetic modulo 2**32. The one thing not fixed by IEEE-754 is the last bit of log/sin/cos, where V8 (fdlibm)
and the C library may in principle differ; the values are cast to float32 before use, which absorbs such a
difference except in the rarest rounding ties (a test checks the arrays are bit-identical)."""
import hashlib
import math
import struct

_MASK = 0xFFFFFFFF


class Rng:
    def __init__(self, seed: int):
        # JavaScript's `rng:${seed}` formats an integer without decimals.
        digest = hashlib.sha256(f"rng:{int(seed)}".encode()).digest()
        self.a, self.b, self.c, self.d = struct.unpack_from("<4I", digest)
        self._spare = None
        for _ in range(12):
            self.next_uint32()

    def next_uint32(self) -> int:
        a, b, c, d = self.a, self.b, self.c, self.d
        t = (a + b + d) & _MASK
        self.d = (d + 1) & _MASK
        self.a = b ^ (b >> 9)
        self.b = (c + (c << 3)) & _MASK
        c = ((c << 21) | (c >> 11)) & _MASK
        self.c = (c + t) & _MASK
        return t

    def uniform(self) -> float:
        """Uniform in [0, 1)."""
        return self.next_uint32() / 4294967296

    def normal(self) -> float:
        """Standard normal (Box-Muller, caching the second value), exactly as rng.ts."""
        if self._spare is not None:
            v = self._spare
            self._spare = None
            return v
        u = 0.0
        while u == 0.0:
            u = self.uniform()
        v = self.uniform()
        r = math.sqrt(-2 * math.log(u))
        self._spare = r * math.sin(2 * math.pi * v)
        return r * math.cos(2 * math.pi * v)
