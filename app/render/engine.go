package render

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

const (
	defaultCacheBytes    = 256 << 20
	defaultRenderTimeout = 30 * time.Second
	// maxWidth and maxPixels bound one render: 64 megapixels is 256 MiB
	// in the instance and again in Go.
	maxWidth  = 16384
	maxPixels = 64 << 20
	// renderQueueLen is how many renders may wait before Render blocks
	// (still watching its context); prefetchQueueLen how many prefetches
	// are kept before further ones are dropped.
	renderQueueLen   = 256
	prefetchQueueLen = 64
	// acquireAttempts bounds how often a worker tries to start a
	// replacement instance before it gives up.
	acquireAttempts = 3
)

// priority orders the queues: a worker takes an open before a render and
// a render before a prefetch.
type priority int

const (
	prioPrefetch priority = iota
	prioRender
	prioOpen
	numPriorities
)

// defaultCacheDir is os.UserCacheDir()/vanthu/pdfium, or "" when the
// platform has no cache directory.
func defaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "vanthu", "pdfium")
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = min(2, runtime.GOMAXPROCS(0))
	}
	if c.CacheBytes <= 0 {
		c.CacheBytes = defaultCacheBytes
	}
	if c.CacheDir == "" {
		c.CacheDir = defaultCacheDir()
	}
	if c.RenderTimeout == 0 {
		c.RenderTimeout = defaultRenderTimeout
	}
	return c
}

// start does the work of NewEngine.
func start(cfg Config) (*Engine, error) {
	t0 := time.Now()
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{
		cfg:      cfg,
		ctx:      ctx,
		cancel:   cancel,
		images:   newImageCache(cfg.CacheBytes),
		dead:     make(chan struct{}),
		docs:     map[*Document]struct{}{},
		inflight: map[cacheKey]*job{},
	}
	e.queues[prioOpen] = make(chan *job, renderQueueLen)
	e.queues[prioRender] = make(chan *job, renderQueueLen)
	e.queues[prioPrefetch] = make(chan *job, prefetchQueueLen)

	if err := e.initPool(); err != nil {
		cancel()
		return nil, err
	}
	first, err := e.pool.GetInstanceWithContext(ctx)
	if err != nil {
		e.closeRuntime()
		cancel()
		return nil, fmt.Errorf("start pdfium instance: %w", err)
	}
	e.stats.StartTime = time.Since(t0)

	e.workers = make([]*worker, cfg.Workers)
	for i := range e.workers {
		e.workers[i] = &worker{
			e:      e,
			ctrl:   make(chan func(*worker)),
			exited: make(chan struct{}),
			fired:  make(chan struct{}, 1),
			docs:   map[*Document]*openDoc{},
		}
	}
	e.alive = len(e.workers)
	e.wg.Add(len(e.workers))
	for i, w := range e.workers {
		var inst pdfium.Pdfium
		if i == 0 {
			inst = first
		}
		go w.loop(inst)
	}
	return e, nil
}

// runtimeConfig is the wazero configuration: the features the bundled
// PDFium module needs, termination on context cancellation or module
// close (for the watchdog and Close), and the compilation cache.
func (e *Engine) runtimeConfig() wazero.RuntimeConfig {
	rc := wazero.NewRuntimeConfig().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithCloseOnContextDone(true)
	if e.compCache != nil {
		rc = rc.WithCompilationCache(e.compCache)
	}
	return rc
}

// initPool compiles PDFium (or loads it from the compilation cache) and
// creates the go-pdfium pool. A cache that cannot be used costs speed,
// never the engine: a damaged entry is removed and the module compiled
// again; an unusable directory means compiling in memory.
func (e *Engine) initPool() error {
	dir := e.cfg.CacheDir
	if dir != "" {
		e.stats.CacheDir = dir
		e.stats.WarmCache = hasCompiledModule(dir)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			e.stats.CacheError = fmt.Errorf("compilation cache: %w", err)
		} else if cc, err := wazero.NewCompilationCacheWithDir(dir); err != nil {
			e.stats.CacheError = fmt.Errorf("compilation cache: %w", err)
		} else {
			e.compCache = cc
		}
	}
	err := e.initPoolOnce()
	if err != nil && e.compCache != nil {
		// wazero refuses a cache entry it cannot read back (truncated,
		// checksum mismatch): clear our directory and compile again.
		e.compCache.Close(context.Background())
		e.compCache = nil
		e.stats.CacheError = fmt.Errorf("compilation cache discarded: %w", err)
		e.stats.WarmCache = false
		if clearCompiledModules(dir) == nil {
			if cc, err := wazero.NewCompilationCacheWithDir(dir); err == nil {
				e.compCache = cc
			}
		}
		err = e.initPoolOnce()
	}
	if err != nil {
		if e.compCache != nil {
			e.compCache.Close(context.Background())
			e.compCache = nil
		}
		return fmt.Errorf("start pdfium: %w", err)
	}
	return nil
}

func (e *Engine) initPoolOnce() error {
	pool, err := webassembly.Init(webassembly.Config{
		Context:       e.ctx,
		MinIdle:       0,
		MaxIdle:       e.cfg.Workers,
		MaxTotal:      e.cfg.Workers,
		RuntimeConfig: e.runtimeConfig(),
		// Nothing is mounted: documents are read through io.ReaderAt
		// callbacks, so PDFium sees no file system at all (and behaves the
		// same on Windows and Linux: no system font scan).
		FSConfig: wazero.NewFSConfig(),
		Stdout:   io.Discard,
		Stderr:   io.Discard,
	})
	if err != nil {
		return err
	}
	e.pool = pool
	return nil
}

// hasCompiledModule reports whether dir holds a wazero cache entry.
func hasCompiledModule(dir string) bool {
	subs, _ := filepath.Glob(filepath.Join(dir, "wazero-*"))
	for _, s := range subs {
		if entries, err := os.ReadDir(s); err == nil && len(entries) > 0 {
			return true
		}
	}
	return false
}

// clearCompiledModules removes wazero's entries from dir and nothing else.
func clearCompiledModules(dir string) error {
	subs, err := filepath.Glob(filepath.Join(dir, "wazero-*"))
	if err != nil {
		return err
	}
	for _, s := range subs {
		if err := os.RemoveAll(s); err != nil {
			return err
		}
	}
	return nil
}

// moduleOf digs the wazero module out of a go-pdfium instance, for the
// watchdog (closing the module stops PDFium mid-call) and for memory
// statistics. go-pdfium exposes the implementation only as an any whose
// type is internal; nil when its shape changes (no watchdog then).
func moduleOf(inst pdfium.Pdfium) api.Module {
	v := reflect.ValueOf(inst.GetImplementation())
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("Module")
	if !f.IsValid() || !f.CanInterface() {
		return nil
	}
	m, _ := f.Interface().(api.Module)
	return m
}

// closeRuntime closes the go-pdfium pool (every instance and the wazero
// runtime) and then the compilation cache.
func (e *Engine) closeRuntime() {
	if e.pool != nil {
		e.pool.Close()
	}
	if e.compCache != nil {
		e.compCache.Close(context.Background())
	}
}

// deadError returns why the engine stopped, or nil while it runs.
func (e *Engine) deadError() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.deadErr
}

// die marks the engine stopped with err and wakes every waiter. It
// returns false when it was already stopped.
func (e *Engine) die(err error) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.deadErr != nil {
		return false
	}
	e.deadErr = err
	close(e.dead)
	return true
}

// workerLost is called by a worker that could not get a working
// instance; without any worker left the engine is dead.
func (e *Engine) workerLost(err error) {
	e.mu.Lock()
	e.alive--
	last := e.alive == 0
	e.mu.Unlock()
	if last {
		e.die(fmt.Errorf("no pdfium instance left: %w", err))
	}
}

// close implements Engine.Close.
func (e *Engine) close() error {
	e.mu.Lock()
	closed := e.closed
	e.closed = true
	e.mu.Unlock()
	if closed {
		return nil
	}
	e.die(ErrClosed) // unless it died already: no instance left

	// Cancelling the context closes every instance's module, which stops
	// a render in progress (WithCloseOnContextDone).
	e.cancel()
	e.wg.Wait()
	for _, q := range e.queues {
	drain:
		for {
			select {
			case j := <-q:
				e.finish(j, nil, nil, ErrClosed)
			default:
				break drain
			}
		}
	}
	e.mu.Lock()
	docs := make([]*Document, 0, len(e.docs))
	for d := range e.docs {
		docs = append(docs, d)
	}
	clear(e.docs)
	e.mu.Unlock()
	for _, d := range docs {
		d.markClosed()
		d.file.Close()
	}
	e.closeRuntime()
	return nil
}

// job is one unit of work for a worker: opening a document or rendering
// a page. Fields under "guarded" change under Engine.mu; the results are
// written before done is closed.
type job struct {
	kind jobKind
	doc  *Document
	key  cacheKey // page and width of a render

	// guarded by Engine.mu
	state jobState
	refs  int      // waiting callers
	keep  bool     // a prefetch wants the result even with no caller left
	prio  priority // the highest queue the job was put in

	done chan struct{}
	img  *image.RGBA
	info *docInfo
	text string // of a text job, written by the worker before done
	err  error
}

type jobKind int

const (
	jobOpen jobKind = iota
	jobRender
	jobText
)

type jobState int

const (
	jobQueued jobState = iota
	jobRunning
	jobDone
	jobCancelled
)

// claim moves a queued job to running; false when it was cancelled or a
// worker already took it (a job upgraded from prefetch sits in two
// queues).
func (e *Engine) claim(j *job) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if j.state != jobQueued {
		return false
	}
	j.state = jobRunning
	return true
}

// finish records a job's result, caches a rendered image and wakes the
// waiters.
func (e *Engine) finish(j *job, img *image.RGBA, info *docInfo, err error) {
	e.mu.Lock()
	if j.state == jobDone || j.state == jobCancelled {
		e.mu.Unlock()
		return
	}
	j.state = jobDone
	j.img, j.info, j.err = img, info, err
	if j.kind == jobRender {
		if e.inflight[j.key] == j {
			delete(e.inflight, j.key)
		}
		if err == nil && !j.doc.isClosed() {
			e.images.put(j.key, img)
		}
	}
	e.mu.Unlock()
	close(j.done)
}

// join finds or creates the render job for key and counts the caller as
// waiting for it. It returns the image instead when the cache has it, and
// whether the caller must put the job into the queue of prio.
func (e *Engine) join(d *Document, key cacheKey, prio priority) (*image.RGBA, *job, bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.deadErr != nil {
		return nil, nil, false, e.deadErr
	}
	if d.isClosed() {
		return nil, nil, false, ErrClosed
	}
	// Checked again under the lock: a job that finished since the
	// caller's look-up moved its image into the cache.
	if img, ok := e.images.get(key); ok {
		return img, nil, false, nil
	}
	j := e.inflight[key]
	enqueue := false
	if j == nil {
		j = &job{kind: jobRender, doc: d, key: key, prio: prio, done: make(chan struct{})}
		e.inflight[key] = j
		enqueue = true
	} else if prio > j.prio {
		j.prio = prio
		enqueue = true
	}
	if prio == prioPrefetch {
		j.keep = true
	} else {
		j.refs++
	}
	return nil, j, enqueue, nil
}

// release is called by a caller that stops waiting for j; a queued job
// nobody waits for is cancelled.
func (e *Engine) release(j *job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if j.refs > 0 {
		j.refs--
	}
	if j.refs == 0 && !j.keep && j.state == jobQueued {
		j.state = jobCancelled
		if j.kind == jobRender && e.inflight[j.key] == j {
			delete(e.inflight, j.key)
		}
	}
}

// dropPrefetch undoes a prefetch whose queue was full.
func (e *Engine) dropPrefetch(j *job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j.keep = false
	if j.refs == 0 && j.state == jobQueued {
		j.state = jobCancelled
		if e.inflight[j.key] == j {
			delete(e.inflight, j.key)
		}
	}
}

// enqueue puts j into the queue of prio. A render waits for room while
// ctx lives; a prefetch never waits.
func (e *Engine) enqueue(ctx context.Context, j *job, prio priority) error {
	q := e.queues[prio]
	if prio == prioPrefetch {
		select {
		case q <- j:
			return nil
		default:
			return errors.New("prefetch queue full")
		}
	}
	select {
	case q <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-e.dead:
		return e.deadError()
	}
}

// wait waits for j; when ctx ends first the caller stops counting as a
// waiter and gets ctx.Err() at once, whatever the worker is doing.
func (e *Engine) wait(ctx context.Context, j *job) error {
	select {
	case <-j.done:
		return nil
	case <-ctx.Done():
		e.release(j)
		return ctx.Err()
	case <-e.dead:
		e.release(j)
		return e.deadError()
	}
}

// broadcast runs f on every worker, between jobs, and waits for all of
// them. Workers that have stopped are skipped.
func (e *Engine) broadcast(f func(*worker)) {
	var wg sync.WaitGroup
	for _, w := range e.workers {
		wg.Add(1)
		g := func(w *worker) {
			defer wg.Done()
			f(w)
		}
		select {
		case w.ctrl <- g:
		case <-w.exited:
			wg.Done()
		}
	}
	wg.Wait()
}

// open implements Engine.OpenContext.
func (e *Engine) open(ctx context.Context, path string) (*Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := e.deadError(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open pdf: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open pdf: %w", err)
	}
	name := filepath.Base(path)
	switch {
	case st.IsDir():
		f.Close()
		return nil, fmt.Errorf("open %s: is a directory", name)
	case st.Size() == 0:
		f.Close()
		return nil, fmt.Errorf("open %s: empty file: %w", name, ErrInvalid)
	case st.Size() > 1<<32-1:
		// go-pdfium's WebAssembly file access passes 32-bit offsets.
		f.Close()
		return nil, fmt.Errorf("open %s: larger than 4 GiB, which the renderer cannot read", name)
	}
	d := &Document{e: e, file: f, size: st.Size(), name: name}

	e.mu.Lock()
	if e.deadErr != nil {
		err := e.deadErr
		e.mu.Unlock()
		f.Close()
		return nil, err
	}
	e.nextDoc++
	d.id = e.nextDoc
	e.docs[d] = struct{}{}
	e.mu.Unlock()

	j := &job{kind: jobOpen, doc: d, refs: 1, prio: prioOpen, done: make(chan struct{})}
	if err := e.enqueue(ctx, j, prioOpen); err != nil {
		d.discard()
		return nil, err
	}
	if err := e.wait(ctx, j); err != nil {
		// The open may still run on a worker and leave a handle there:
		// close the document the normal way, without making the caller
		// wait for that.
		go d.Close()
		return nil, err
	}
	if j.err != nil {
		// No worker holds the document: the only one that tried failed.
		d.discard()
		return nil, fmt.Errorf("open %s: %w", name, j.err)
	}
	d.pages = j.info.pages
	return d, nil
}

// Stats describes an engine, for diagnostics and benchmarks.
type Stats struct {
	// StartTime is how long NewEngine took to compile PDFium (or load it
	// from the compilation cache) and start the first instance.
	StartTime time.Duration
	// CacheDir is the compilation cache in use ("" when none).
	CacheDir string
	// WarmCache reports that the compilation cache held a compiled module
	// when the engine started.
	WarmCache bool
	// CacheError says why the compilation cache is not used or was
	// discarded (nil when it works).
	CacheError error
	// Workers is the number of PDFium instances.
	Workers int
	// InstanceMemory is the WebAssembly memory of each instance in bytes,
	// as of its last job (0 before the first). It only grows: PDFium's
	// heap is never given back to Go while the instance lives.
	InstanceMemory []int64
	// Images and ImageBytes describe the rendered images held in memory.
	Images     int
	ImageBytes int64
	// Documents is the number of open documents.
	Documents int
}

func (e *Engine) statsSnapshot() Stats {
	s := e.stats
	s.Workers = len(e.workers)
	s.InstanceMemory = make([]int64, len(e.workers))
	for i, w := range e.workers {
		s.InstanceMemory[i] = w.memory.Load()
	}
	s.Images, s.ImageBytes = e.images.usage()
	e.mu.Lock()
	s.Documents = len(e.docs)
	e.mu.Unlock()
	return s
}
