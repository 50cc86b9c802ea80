//go:build fuzzguard_selftest

package fuzzguard_test

// The fuzz target that TestWatch runs in a child process (built with
// -tags fuzzguard_selftest, so that fuzz runs never see it). The mode comes
// from $FUZZGUARD_SELFTEST.

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
)

// selftestLimit is the child's per-input limit.
const selftestLimit = 300 * time.Millisecond

// replayed are values whose encoding is easy to get wrong: bytes that are
// not UTF-8, quotes and newlines, a NaN with a payload, negative zero, the
// smallest int64, a negative rune.
var (
	rData   = []byte("%PDF-1.7\x00\xff\"\\\n hang")
	rString = "Văn bản \"số\"\n\t\x01"
	rF32    = math.Float32frombits(0x7fc00001)
	rF64    = math.Copysign(0, -1)

	replayed = []any{bytes.Clone(rData), rString, true, byte(0xfe), rune(-3), int64(math.MinInt64), rF32, rF64}
)

func FuzzHangs(f *testing.F) {
	f.Add(rData, rString, true, byte(0xfe), rune(-3), int64(math.MinInt64), rF32, rF64)
	f.Fuzz(func(t *testing.T, data []byte, s string, b bool, u byte, r rune, i int64, f32 float32, f64 float64) {
		in := []any{data, s, b, u, r, i, f32, f64}
		switch mode := os.Getenv("FUZZGUARD_SELFTEST"); mode {
		case "hang":
			defer fuzzguard.Watch(t, selftestLimit, in...)()
			if len(data) > 0 {
				data[0] = 'X' // the kept input must be what we received
			}
			hangForever()
		case "quick":
			fuzzguard.Watch(t, selftestLimit, in...)()
			time.Sleep(3 * selftestLimit) // disarmed: the watchdog must stay quiet
		case "replay":
			for k, v := range in {
				if !same(v, replayed[k]) {
					t.Fatalf("argument %d: replayed %#v, want %#v", k, v, replayed[k])
				}
			}
			fmt.Printf("fuzzguard: %s replayed exactly\n", t.Name())
		default:
			t.Fatalf("FUZZGUARD_SELFTEST=%q: want hang, quick or replay", mode)
		}
	})
}

// hangForever blocks like a parser stuck in a loop; its name shows in the
// goroutine dump.
func hangForever() {
	select {}
}

// same compares fuzz arguments exactly: floats by their bits.
func same(a, b any) bool {
	switch a := a.(type) {
	case []byte:
		b, ok := b.([]byte)
		return ok && bytes.Equal(a, b)
	case float32:
		b, ok := b.(float32)
		return ok && math.Float32bits(a) == math.Float32bits(b)
	case float64:
		b, ok := b.(float64)
		return ok && math.Float64bits(a) == math.Float64bits(b)
	}
	return a == b
}
