package storetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/server/store"
)

// axisTests are the conformance subtests of store.AxisStore; Run runs
// them on stores that implement it, and fails a store that does not.
var axisTests = []struct {
	name string
	f    func(t *testing.T, s store.Store)
}{
	{"AxisSystems", testAxisSystems},
	{"AxisNonceOnce", testAxisNonceOnce},
	{"AxisAcks", testAxisAcks},
}

func axisOf(t *testing.T, s store.Store) store.AxisStore {
	t.Helper()
	as, ok := s.(store.AxisStore)
	if !ok {
		t.Fatalf("%T keeps no axis records (store.AxisStore)", s)
	}
	return as
}

func testAxisSystems(t *testing.T, s store.Store) {
	as := axisOf(t, s)
	addAgencies(t, s, agencyA)
	sys := store.AxisSystem{ID: "vts-1", Agency: agencyA, Name: "QLVB", Secret: "bi-mat", Created: now}
	must(t, as.AddAxisSystem(ctx, sys))
	if err := as.AddAxisSystem(ctx, store.AxisSystem{ID: "vts-1", Agency: agencyA, Secret: "khac"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a taken id: %v, want ErrConflict", err)
	}
	if err := as.AddAxisSystem(ctx, store.AxisSystem{ID: "vts-2", Agency: "000.00.99.H99", Secret: "x"}); err == nil {
		t.Fatal("a system of an unknown agency was added")
	}
	got, err := as.AxisSystem(ctx, "vts-1")
	must(t, err)
	if got.Secret != "bi-mat" || got.Agency != agencyA || !got.Created.Equal(now) {
		t.Fatalf("system %+v", got)
	}
	for _, id := range []string{"vts-2", "", "vts-1\x00", "VTS-1"} {
		if _, err := as.AxisSystem(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("system %q: %v, want ErrNotFound", id, err)
		}
	}
}

// testAxisNonceOnce: of 16 concurrent uses of one signature exactly one
// is fresh; another system's same nonce is its own; an expired one is
// fresh again.
func testAxisNonceOnce(t *testing.T, s store.Store) {
	as := axisOf(t, s)
	exp := time.Now().Add(time.Minute)
	var fresh atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := as.UseAxisNonce(ctx, "vts-1", "abc", exp)
			if err != nil {
				t.Error(err)
			}
			if ok {
				fresh.Add(1)
			}
		}()
	}
	wg.Wait()
	if fresh.Load() != 1 {
		t.Fatalf("%d of 16 uses of one signature were fresh", fresh.Load())
	}
	if ok, err := as.UseAxisNonce(ctx, "vts-2", "abc", exp); err != nil || !ok {
		t.Fatalf("another system's nonce: %v %v", ok, err)
	}
	if ok, err := as.UseAxisNonce(ctx, "vts-1", "old", time.Now().Add(-time.Second)); err != nil || !ok {
		t.Fatalf("first use: %v %v", ok, err)
	}
	if ok, err := as.UseAxisNonce(ctx, "vts-1", "old", exp); err != nil || !ok {
		t.Fatalf("an expired nonce used again: %v %v, want fresh", ok, err)
	}
	if ok, _ := as.UseAxisNonce(ctx, "vts-1", "old", exp); ok {
		t.Fatal("a nonce renewed is fresh twice")
	}
}

func testAxisAcks(t *testing.T, s store.Store) {
	as := axisOf(t, s)
	if _, err := as.AxisAck(ctx, "vts-1", "m1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no ack: %v", err)
	}
	must(t, as.SetAxisAck(ctx, "vts-1", "m1", store.AxisAck{Status: "processing", At: now}))
	must(t, as.SetAxisAck(ctx, "vts-1", "m1", store.AxisAck{Status: "done", At: now.Add(time.Minute)}))
	a, err := as.AxisAck(ctx, "vts-1", "m1")
	must(t, err)
	if a.Status != "done" || !a.At.Equal(now.Add(time.Minute)) {
		t.Fatalf("ack %+v", a)
	}
	if _, err := as.AxisAck(ctx, "vts-2", "m1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another system's ack: %v", err)
	}
}
