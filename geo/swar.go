package geo

import (
	"encoding/binary"
	"math/bits"
)

// Finding the end of a JSON string is most of the work of reading a data
// file, and strings are mostly short: these look at eight bytes at a
// time within a uint64 (SWAR, "SIMD within a register") rather than one,
// with the bit tricks of Hacker's Delight and the Stanford "Bit Twiddling
// Hacks": for each byte, x - 0x01 borrows into the byte's high bit only
// when the byte is zero, which finds the first zero byte exactly (bytes
// after it may be flagged falsely; only the first flag is used).

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// zeroBytes flags the bytes of v that are zero, the first exactly.
func zeroBytes(v uint64) uint64 { return (v - ones) & ^v & highs }

// lessBytes flags the bytes of v below n (n ≤ 128), the first exactly.
func lessBytes(v uint64, n byte) uint64 { return (v - ones*uint64(n)) & ^v & highs }

// firstFlag returns the index of the byte of the lowest flag.
func firstFlag(flags uint64) int { return bits.TrailingZeros64(flags) >> 3 }

// indexQuoteOrEscape returns the index of the first '"' or '\\' in b, or
// -1.
func indexQuoteOrEscape(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		if f := zeroBytes(v^ones*'"') | zeroBytes(v^ones*'\\'); f != 0 {
			return i + firstFlag(f)
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '"' || b[i] == '\\' {
			return i
		}
	}
	return -1
}

// indexNotPlain returns the index of the first byte of b that a string
// cannot hold as it is, or that is not ASCII: '"', '\\', a control
// character or a byte of 0x80 and above; -1 when there is none.
func indexNotPlain(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		if f := zeroBytes(v^ones*'"') | zeroBytes(v^ones*'\\') | lessBytes(v, 0x20) | v&highs; f != 0 {
			return i + firstFlag(f)
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
			return i
		}
	}
	return -1
}
