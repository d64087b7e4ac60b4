package cookie

// This file implements the Punycode encoding of RFC 3492, which the host name
// canonicalization of RFC 6265bis §5.1.2 needs to turn a U-label into an
// A-label ("xn--" + Punycode). Decoding is never needed.

import (
	"errors"
	"strings"
	"unicode/utf8"
)

const (
	punyBase        = 36
	punyTMin        = 1
	punyTMax        = 26
	punySkew        = 38
	punyDamp        = 700
	punyInitialBias = 72
	punyInitialN    = 128
)

var errPunycodeOverflow = errors.New("cookie: punycode overflow")

// punycodeEncode returns the Punycode encoding of s (RFC 3492 §6.3), or an
// error when s is not valid UTF-8 or the encoding overflows.
func punycodeEncode(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("cookie: host label is not valid UTF-8")
	}
	var out strings.Builder
	runes := []rune(s)
	b := 0
	for _, r := range runes {
		if r < 0x80 {
			out.WriteRune(r)
			b++
		}
	}
	if b > 0 {
		out.WriteByte('-')
	}
	n, delta, bias := rune(punyInitialN), int32(0), int32(punyInitialBias)
	for h := b; h < len(runes); {
		m := rune(0x7fffffff)
		for _, r := range runes {
			if r >= n && r < m {
				m = r
			}
		}
		if int64(m-n)*int64(h+1)+int64(delta) > 0x7fffffff {
			return "", errPunycodeOverflow
		}
		delta += int32(m-n) * int32(h+1)
		n = m
		for _, r := range runes {
			if r < n {
				delta++
				if delta < 0 {
					return "", errPunycodeOverflow
				}
			}
			if r != n {
				continue
			}
			q := delta
			for k := int32(punyBase); ; k += punyBase {
				t := k - bias
				if t < punyTMin {
					t = punyTMin
				} else if t > punyTMax {
					t = punyTMax
				}
				if q < t {
					break
				}
				out.WriteByte(punyDigit(t + (q-t)%(punyBase-t)))
				q = (q - t) / (punyBase - t)
			}
			out.WriteByte(punyDigit(q))
			bias = punyAdapt(delta, int32(h+1), h == b)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return out.String(), nil
}

func punyDigit(d int32) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}

// punyAdapt is the bias adaptation function of RFC 3492 §6.1.
func punyAdapt(delta, numPoints int32, first bool) int32 {
	if first {
		delta /= punyDamp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := int32(0)
	for delta > ((punyBase-punyTMin)*punyTMax)/2 {
		delta /= punyBase - punyTMin
		k += punyBase
	}
	return k + (punyBase-punyTMin+1)*delta/(delta+punySkew)
}
