package pdf

import (
	"fmt"
	"strings"
	"time"
)

// ParseDate parses a PDF date "D:YYYYMMDDHHmmSSOHH'mm'" leniently: the "D:"
// prefix, every field after the year, the apostrophes and the trailing
// apostrophe are optional; O is '+', '-' or 'Z' (a missing zone means UTC);
// surrounding spaces and a NUL terminator are ignored; out-of-range fields
// are an error.
func ParseDate(s string) (time.Time, error) {
	orig := s
	s = strings.TrimSpace(strings.TrimRight(s, "\x00"))
	s = strings.TrimPrefix(s, "D:")
	s = strings.TrimSpace(s)
	p := 0
	digits := func(n int) (int, bool) {
		if p+n > len(s) {
			return 0, false
		}
		v := 0
		for i := range n {
			c := s[p+i]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		p += n
		return v, true
	}
	year, ok := digits(4)
	if !ok {
		return time.Time{}, fmt.Errorf("parse date %q: no year", orig)
	}
	fields := [5]int{1, 1, 0, 0, 0} // month day hour minute second
	for i := range fields {
		v, ok := digits(2)
		if !ok {
			break
		}
		fields[i] = v
	}
	month, day, hour, minute, sec := fields[0], fields[1], fields[2], fields[3], fields[4]
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, fmt.Errorf("parse date %q: field out of range", orig)
	}
	if sec == 60 {
		sec = 59
	}
	loc := time.UTC
	if p < len(s) {
		sign := s[p]
		p++
		switch sign {
		case 'Z', 'z':
		case '+', '-':
			oh, ok := digits(2)
			if !ok {
				return time.Time{}, fmt.Errorf("parse date %q: bad zone", orig)
			}
			if p < len(s) && s[p] == '\'' {
				p++
			}
			om, _ := digits(2)
			if oh > 23 || om > 59 {
				return time.Time{}, fmt.Errorf("parse date %q: zone out of range", orig)
			}
			off := oh*3600 + om*60
			if sign == '-' {
				off = -off
			}
			loc = time.FixedZone("", off)
		default:
			return time.Time{}, fmt.Errorf("parse date %q: unexpected %q", orig, sign)
		}
		// Anything after the zone ("'", "Z00'00'" leftovers) is ignored.
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc)
	if t.Day() != day {
		return time.Time{}, fmt.Errorf("parse date %q: no such day", orig)
	}
	return t, nil
}

// FormatDate formats t as a PDF date in t's own zone, for example
// "D:20261123093000+07'00'"; a zero offset is written "Z".
func FormatDate(t time.Time) string {
	_, off := t.Zone()
	zone := "Z"
	if off != 0 {
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		off /= 60
		zone = fmt.Sprintf("%c%02d'%02d'", sign, off/60, off%60)
	}
	return fmt.Sprintf("D:%04d%02d%02d%02d%02d%02d%s",
		t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), zone)
}
