// The fuzz targets of the throwaway module TestFuzzScript gives to
// scripts/fuzz.sh: each finds its trouble within a few hundred executions
// (inputs of 4 bytes or more; the seed has one). Under testdata, so that
// neither go nor fuzz.sh takes them for the module's own targets.

package targets

import (
	"testing"
	"time"

	"fuzzselftest/fuzzguard"
)

func FuzzSound(f *testing.F) {
	f.Add([]byte("a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, 5*time.Second, data)()
		_ = len(data)
	})
}

func FuzzHang(f *testing.F) {
	f.Add([]byte("a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, time.Minute, data)() // WorkerLimit applies
		if len(data) >= 4 {
			select {}
		}
	})
}

func FuzzUnguardedHang(f *testing.F) {
	f.Add([]byte("a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= 4 {
			select {}
		}
	})
}

func FuzzCrash(f *testing.F) {
	f.Add([]byte("a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, 5*time.Second, data)()
		if len(data) >= 4 {
			t.Fatalf("%d bytes", len(data))
		}
	})
}
