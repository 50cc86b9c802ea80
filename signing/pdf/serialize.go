package pdf

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// AppendObject appends the PDF syntax of o to dst and returns the result.
//
// It never fails: values it cannot write (a *Stream, which only exists as an
// indirect object, unknown Go types, objects nested deeper than 100 levels or
// cyclic) are written as "null". Dictionary keys are sorted so output is
// deterministic. Names escape with #xx every byte that is not a regular
// printable ASCII character, and '#'. Strings are written as literal strings
// in which only printable ASCII appears raw; '\', '(' and ')' are escaped
// and every other byte is written as \n, \r or a three-digit octal escape.
// Reals are written by FormatReal.
func AppendObject(dst []byte, o Object) []byte {
	return appendObject(dst, o, 0)
}

func appendObject(dst []byte, o Object, depth int) []byte {
	if depth >= maxNesting {
		return append(dst, "null"...)
	}
	switch v := o.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		return strconv.AppendBool(dst, v)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int32:
		return strconv.AppendInt(dst, int64(v), 10)
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10)
	case float64:
		return append(dst, FormatReal(v)...)
	case float32:
		return append(dst, FormatReal(float64(v))...)
	case Name:
		return appendName(dst, v)
	case String:
		return appendString(dst, v)
	case Ref:
		dst = strconv.AppendUint(dst, uint64(v.Num), 10)
		dst = append(dst, ' ')
		dst = strconv.AppendUint(dst, uint64(v.Gen), 10)
		return append(dst, " R"...)
	case Array:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = appendObject(dst, e, depth+1)
		}
		return append(dst, ']')
	case Dict:
		if len(v) == 0 {
			return append(dst, "<<>>"...)
		}
		keys := make([]Name, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, "<<"...)
		for _, k := range keys {
			dst = append(dst, ' ')
			dst = appendName(dst, k)
			dst = append(dst, ' ')
			dst = appendObject(dst, v[k], depth+1)
		}
		return append(dst, " >>"...)
	case Operator:
		if v != "" && strings.IndexFunc(string(v), func(r rune) bool { return r > 0x7e || !isRegular(byte(r)) }) < 0 {
			return append(dst, v...)
		}
	}
	return append(dst, "null"...)
}

const hexDigits = "0123456789ABCDEF"

func appendName(dst []byte, n Name) []byte {
	dst = append(dst, '/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c < 0x21 || c > 0x7e || c == '#' || isDelim(c) {
			dst = append(dst, '#', hexDigits[c>>4], hexDigits[c&15])
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

func appendString(dst []byte, s String) []byte {
	dst = append(dst, '(')
	for _, c := range s {
		switch {
		case c == '\\' || c == '(' || c == ')':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c < 0x20 || c >= 0x7f:
			dst = append(dst, '\\', '0'+c>>6, '0'+(c>>3)&7, '0'+c&7)
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, ')')
}

// FormatReal formats f for PDF: no exponent, at most five decimals, trailing
// zeros and a trailing dot removed. Negative zero, NaN and infinities are
// written as "0".
func FormatReal(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	s := strconv.FormatFloat(f, 'f', 5, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}
