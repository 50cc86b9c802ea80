package signui

import (
	"sync"

	"fyne.io/fyne/v2"
)

// Every dialog registers itself under its window while it is shown, and
// unregisters when it closes. The package's tests find the dialog a
// window shows through these (SignDialogOf, BatchDialogOf in
// drivers_test.go); the application only keeps them up to date.
var (
	openDialogs openByWindow[*signDialog]
	openBatches openByWindow[*batchDialog]
)

// openByWindow is the dialog of one kind shown over each window.
type openByWindow[D comparable] struct {
	mu sync.Mutex
	m  map[fyne.Window]D
}

// add records d as the dialog shown over w.
func (o *openByWindow[D]) add(w fyne.Window, d D) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil {
		o.m = map[fyne.Window]D{}
	}
	o.m[w] = d
}

// remove forgets d, if it is still the dialog recorded for w.
func (o *openByWindow[D]) remove(w fyne.Window, d D) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m[w] == d {
		delete(o.m, w)
	}
}

// get returns the dialog shown over w.
func (o *openByWindow[D]) get(w fyne.Window) (D, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, ok := o.m[w]
	return d, ok
}
