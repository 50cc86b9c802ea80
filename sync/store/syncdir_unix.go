//go:build !windows

package store

import "os"

// syncDir fsyncs a directory, so that a rename or a new entry in it
// survives a power cut.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
