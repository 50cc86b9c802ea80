// Package textindex extracts the text of the cached documents' PDFs in
// the background and indexes it in the client cache, so that a search
// finds documents by what their PDF says. It does not import Fyne.
//
//	ix := textindex.New(cache, textindex.FromRender(engine))
//	go ix.Run(ctx)        // until ctx ends
//	ix.Wake()             // after the sync engine applied new documents
//
// # Work
//
// The work is store.NeedText: the documents whose main PDF is stored and
// has neither text nor a recorded failure, newest first. It lives in the
// cache, so that an Indexer started after a restart (or a crash) finds
// what is left. Each document is extracted once: its text goes into the
// index with store.SetText (an empty text for a scan without text), or,
// when the PDF cannot be read, store.SetTextFailed records why and the
// document is not tried again.
//
// # Priority
//
// One document at a time, each in its own short cache transaction after
// the extraction finished: nothing of the cache is locked while a PDF is
// read, so showing or listing a newly arrived document never waits for
// the indexer. FromRender's extraction runs at app/render's lowest
// priority, behind every page the user is looking at, and within
// render.TextLimits (by default the first 200 pages and 64 KiB of text).
//
// # Errors
//
// Run returns nil when ctx ends, or the error of the cache (a closed or
// failing cache) or of an extractor that says it is unavailable
// (ErrUnavailable: the render engine closed); a document's own failure
// never stops it.
package textindex

import (
	"context"
	"errors"
	"fmt"

	"github.com/vanthuso/vanthu/app/render"
	"github.com/vanthuso/vanthu/sync/store"
)

// ErrUnavailable is wrapped by an Extractor's error that is not the
// document's fault (the extractor stopped): Run returns it, and the
// document stays in the work for the next Run.
var ErrUnavailable = errors.New("text extractor unavailable")

// Extractor reads the text of the PDF at path. Errors wrapping
// ErrUnavailable or ctx's error leave the document for later; any other
// error marks the document as failed.
type Extractor interface {
	ExtractText(ctx context.Context, path string) (string, error)
}

// renderExtractor is Extractor over app/render.
type renderExtractor struct {
	e   *render.Engine
	lim render.TextLimits
}

// FromRender extracts with e (render.Engine.ExtractText) within
// render's default TextLimits. A closed engine is ErrUnavailable.
func FromRender(e *render.Engine) Extractor { return renderExtractor{e: e} }

func (r renderExtractor) ExtractText(ctx context.Context, path string) (string, error) {
	text, _, err := r.e.ExtractText(ctx, path, r.lim)
	if errors.Is(err, render.ErrClosed) {
		return "", fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return text, err
}

// batch is how many jobs Run asks the cache for at a time.
const batch = 20

// Indexer indexes the cache's PDF text. Create it with New; Run it once
// at a time.
type Indexer struct {
	store *store.Store
	ex    Extractor
	wake  chan struct{}

	// Done, when set before Run, is called after each document with its
	// key and the extraction's error (nil when its text was indexed),
	// from Run's goroutine.
	Done func(key string, err error)
}

// New returns an Indexer of s's documents using ex.
func New(s *store.Store, ex Extractor) *Indexer {
	return &Indexer{store: s, ex: ex, wake: make(chan struct{}, 1)}
}

// Wake tells a waiting Run that there may be new work (documents or
// files arrived). It never blocks.
func (ix *Indexer) Wake() {
	select {
	case ix.wake <- struct{}{}:
	default:
	}
}

// Run indexes documents one at a time until ctx ends (nil), waiting for
// Wake when there is nothing to do. It returns the cache's error or an
// ErrUnavailable one (the package doc).
func (ix *Indexer) Run(ctx context.Context) error {
	for {
		if ctx.Err() != nil {
			return nil
		}
		jobs, err := ix.store.NeedText(batch)
		if err != nil {
			return fmt.Errorf("text index: %w", err)
		}
		if len(jobs) == 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-ix.wake:
				continue
			}
		}
		for _, j := range jobs {
			if err := ix.index(ctx, j); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
		}
	}
}

// index extracts and indexes one document.
func (ix *Indexer) index(ctx context.Context, j store.TextJob) error {
	text, err := ix.ex.ExtractText(ctx, ix.store.BlobPath(j.SHA256))
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, ErrUnavailable):
		return fmt.Errorf("text index: %w", err)
	case err != nil:
		if err := ix.store.SetTextFailed(j.Key, err.Error()); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("text index: %w", err)
		}
	default:
		// A document deleted meanwhile (ErrNotFound) has nothing to index.
		if err := ix.store.SetText(j.Key, text); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("text index: %w", err)
		}
	}
	if ix.Done != nil {
		ix.Done(j.Key, err)
	}
	return nil
}
