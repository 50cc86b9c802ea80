// Package boltcheck checks the pages of a bbolt file that bbolt's own
// Tx.Check reads in a goroutine of its own: a damaged one panics there,
// where no recover can catch it, and the process ends. Callers run
// MetaPages first (and walk the buckets under a recover) before
// Tx.Check.
package boltcheck

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"
	"sync/atomic"
)

// CheckedFreelist says whether the last checkMetaPages found a meta page
// whose checksum holds (tests: the freelist check ran).
var CheckedFreelist atomic.Bool

// Page header flags and the no-freelist mark, as bbolt writes them.
const (
	metaPageFlag     = 0x04
	freelistPageFlag = 0x10
	noFreelist       = ^uint64(0)
)

// MetaPages checks, from the file, the pages bbolt's Tx.Check reads
// in a goroutine of its own (where a panic cannot be caught and ends the
// process): both meta pages must say they are pages 0 and 1, and the
// freelist page the meta in use names (the one of highest txid whose
// checksum holds) must say it is that page.
func MetaPages(path string, pageSize int) string {
	f, err := os.Open(path)
	if err != nil {
		return "open: " + err.Error()
	}
	defer f.Close()
	page := func(id uint64) ([]byte, error) {
		b := make([]byte, 16+64)
		_, err := f.ReadAt(b, int64(id)*int64(pageSize))
		return b, err
	}
	var freelist, txid uint64
	valid := false
	for id := uint64(0); id < 2; id++ {
		b, err := page(id)
		if err != nil {
			return fmt.Sprintf("meta page %d: %v", id, err)
		}
		if binary.LittleEndian.Uint64(b) != id || binary.LittleEndian.Uint16(b[8:]) != metaPageFlag {
			return fmt.Sprintf("meta page %d is damaged (it says it is page %d)", id, binary.LittleEndian.Uint64(b))
		}
		m := b[16:]
		h := fnv.New64a()
		h.Write(m[:56])
		if h.Sum64() != binary.LittleEndian.Uint64(m[56:]) {
			continue // a torn meta write: bbolt uses the other one
		}
		if t := binary.LittleEndian.Uint64(m[48:]); !valid || t > txid {
			valid, txid, freelist = true, t, binary.LittleEndian.Uint64(m[32:])
		}
	}
	CheckedFreelist.Store(valid)
	if !valid || freelist == noFreelist {
		return ""
	}
	b, err := page(freelist)
	if err != nil {
		return fmt.Sprintf("freelist page %d: %v", freelist, err)
	}
	if binary.LittleEndian.Uint64(b) != freelist || binary.LittleEndian.Uint16(b[8:]) != freelistPageFlag {
		return fmt.Sprintf("freelist page %d is damaged", freelist)
	}
	return ""
}
