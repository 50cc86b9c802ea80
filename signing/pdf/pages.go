package pdf

import (
	"errors"
	"fmt"
	"math"
)

const (
	maxPageDepth = 64      // page tree levels
	maxPageNodes = 1 << 16 // kids visited by one full walk
	maxPageCount = 1 << 24 // a /Count above this is not trusted
)

var errPageNotFound = errors.New("page not found")

// letter is the media box assumed when a page has none (as viewers do).
var letter = Rect{0, 0, 612, 792}

// inherited holds the page attributes inherited down the page tree.
type inherited struct {
	media, crop *Rect
	rotate      *int64
}

func (r *Reader) inherit(inh inherited, d Dict) inherited {
	if rc, ok := r.rectOf(d["MediaBox"]); ok {
		inh.media = &rc
	}
	if rc, ok := r.rectOf(d["CropBox"]); ok {
		inh.crop = &rc
	}
	if v, err := r.Resolve(d["Rotate"]); err == nil {
		if f, ok := numOf(v); ok && math.Abs(f) < 1e9 {
			rot := int64(math.Round(f))
			inh.rotate = &rot
		}
	}
	return inh
}

func (r *Reader) rectOf(o Object) (Rect, bool) {
	v, err := r.Resolve(o)
	if err != nil {
		return Rect{}, false
	}
	a, ok := v.(Array)
	if !ok || len(a) < 4 {
		return Rect{}, false
	}
	var f [4]float64
	for i := range f {
		e, err := r.Resolve(a[i])
		if err != nil {
			return Rect{}, false
		}
		if f[i], ok = numOf(e); !ok {
			return Rect{}, false
		}
	}
	return Rect{f[0], f[1], f[2], f[3]}, true
}

func (inh inherited) geometry(n int) PageGeometry {
	g := PageGeometry{Number: n, MediaBox: letter}
	if inh.media != nil {
		g.MediaBox = inh.media.Normalize()
	}
	g.CropBox = g.MediaBox
	if inh.crop != nil {
		g.CropBox = inh.crop.Normalize()
	}
	if inh.rotate != nil {
		g.Rotate = normalizeRotate(*inh.rotate)
	}
	return g
}

// normalizeRotate maps any multiple of 90 to 0, 90, 180 or 270; other
// values are invalid and read as 0.
func normalizeRotate(v int64) int {
	v %= 360
	if v < 0 {
		v += 360
	}
	if v%90 != 0 {
		return 0
	}
	return int(v)
}

// isPagesNode tells an intermediate node of the page tree from a page.
func isPagesNode(d Dict) bool {
	switch d["Type"] {
	case Name("Pages"):
		return true
	case Name("Page"):
		return false
	}
	_, hasKids := d["Kids"]
	return hasKids
}

func (r *Reader) pagesRoot() (Dict, Ref, error) {
	cat, _, err := r.Catalog()
	if err != nil {
		return nil, Ref{}, err
	}
	ref, _ := cat["Pages"].(Ref)
	root, err := r.ResolveDict(cat["Pages"])
	if err != nil {
		return nil, ref, fmt.Errorf("page tree: %w", err)
	}
	if root == nil {
		return nil, ref, errors.New("page tree: catalog has no /Pages")
	}
	return root, ref, nil
}

// NumPages returns the number of pages: the root's /Count when it is
// plausible and its first and last pages can be reached through the counts,
// otherwise the number of pages found by walking the tree (at most 65536
// nodes are visited).
func (r *Reader) NumPages() (int, error) {
	root, rootRef, err := r.pagesRoot()
	if err != nil {
		return 0, err
	}
	if !isPagesNode(root) {
		return 1, nil // /Pages points straight at a page
	}
	if v, err := r.Resolve(root["Count"]); err == nil {
		if n, ok := intOf(v); ok && n > 0 && n <= maxPageCount {
			_, _, _, errLast := r.findPage(root, rootRef, int(n))
			_, _, _, errFirst := r.findPage(root, rootRef, 1)
			if errLast == nil && errFirst == nil {
				return int(n), nil
			}
		}
	}
	count := 0
	err = r.walk(root, rootRef, func(Ref, Dict, inherited) bool {
		count++
		return true
	})
	if err != nil && count == 0 {
		return 0, fmt.Errorf("page tree: %w", err)
	}
	return count, nil
}

// Page returns page n (1-based): its reference, its dictionary and its
// geometry with /MediaBox, /CropBox and /Rotate inherited from ancestors.
// A missing media box is read as US Letter, a missing crop box as the media
// box. It descends by the nodes' /Count and falls back to walking the whole
// tree when the counts are wrong.
func (r *Reader) Page(n int) (Ref, Dict, PageGeometry, error) {
	if n < 1 {
		return Ref{}, nil, PageGeometry{}, fmt.Errorf("page %d: page numbers start at 1", n)
	}
	root, rootRef, err := r.pagesRoot()
	if err != nil {
		return Ref{}, nil, PageGeometry{}, err
	}
	if !isPagesNode(root) {
		if n != 1 {
			return Ref{}, nil, PageGeometry{}, fmt.Errorf("page %d: %w", n, errPageNotFound)
		}
		return rootRef, root, r.inherit(inherited{}, root).geometry(1), nil
	}
	ref, d, g, err := r.findPage(root, rootRef, n)
	if err == nil {
		return ref, d, g, nil
	}
	var (
		found      bool
		fref       Ref
		fd         Dict
		finh       inherited
		i          int
		walkErrMsg error
	)
	walkErrMsg = r.walk(root, rootRef, func(ref Ref, d Dict, inh inherited) bool {
		i++
		if i == n {
			found, fref, fd, finh = true, ref, d, inh
			return false
		}
		return true
	})
	if !found {
		if walkErrMsg != nil {
			return Ref{}, nil, PageGeometry{}, fmt.Errorf("page %d: %w", n, walkErrMsg)
		}
		return Ref{}, nil, PageGeometry{}, fmt.Errorf("page %d: %w", n, errPageNotFound)
	}
	return fref, fd, finh.geometry(n), nil
}

// findPage descends to page n using the /Count of intermediate nodes.
func (r *Reader) findPage(root Dict, rootRef Ref, n int) (Ref, Dict, PageGeometry, error) {
	want := n
	node := root
	inh := r.inherit(inherited{}, root)
	path := map[Ref]bool{rootRef: true}
	for range maxPageDepth {
		kv, err := r.Resolve(node["Kids"])
		if err != nil {
			return Ref{}, nil, PageGeometry{}, err
		}
		kids, _ := kv.(Array)
		descended := false
		for _, k := range kids {
			kref, _ := k.(Ref)
			kd, err := r.ResolveDict(k)
			if err != nil || kd == nil {
				continue
			}
			if isPagesNode(kd) {
				cv, err := r.Resolve(kd["Count"])
				if err != nil {
					return Ref{}, nil, PageGeometry{}, err
				}
				c, ok := intOf(cv)
				if !ok || c < 0 {
					return Ref{}, nil, PageGeometry{}, errors.New("intermediate node without /Count")
				}
				if int64(n) <= c {
					if path[kref] {
						return Ref{}, nil, PageGeometry{}, errors.New("page tree cycle")
					}
					path[kref] = true
					node = kd
					inh = r.inherit(inh, kd)
					descended = true
					break
				}
				n -= int(c)
				continue
			}
			if n == 1 {
				return kref, kd, r.inherit(inh, kd).geometry(want), nil
			}
			n--
		}
		if !descended {
			return Ref{}, nil, PageGeometry{}, errPageNotFound
		}
	}
	return Ref{}, nil, PageGeometry{}, errors.New("page tree too deep")
}

// walkPages calls fn for each page in document order until fn returns
// false. path guards against cycles; budget bounds the nodes visited.
func (r *Reader) walkPages(node Dict, ref Ref, inh inherited, depth int, path []Ref, w *walkState, fn func(Ref, Dict, inherited) bool) error {
	if depth > maxPageDepth {
		return errors.New("page tree too deep")
	}
	inh = r.inherit(inh, node)
	path = append(path, ref)
	kv, err := r.Resolve(node["Kids"])
	if err != nil {
		return err
	}
	kids, _ := kv.(Array)
	for _, k := range kids {
		if w.budget <= 0 {
			return errors.New("page tree too large")
		}
		w.budget--
		kref, isRef := k.(Ref)
		if isRef && containsRef(path, kref) {
			continue // cycle
		}
		kd, cached := w.nodes[kref]
		if !cached || !isRef {
			kd, err = r.ResolveDict(k)
			if err != nil || kd == nil {
				continue
			}
		}
		if isPagesNode(kd) {
			if isRef && len(w.nodes) < maxPageNodes {
				w.nodes[kref] = kd
			}
			if err := r.walkPages(kd, kref, inh, depth+1, path, w, fn); err != nil {
				return err
			}
			continue
		}
		if !fn(kref, kd, r.inherit(inh, kd)) {
			return errStopWalk
		}
	}
	return nil
}

// walkState bounds one walk and remembers the intermediate nodes it read
// (they are not handed out, so sharing them is safe).
type walkState struct {
	budget int
	nodes  map[Ref]Dict
}

// errStopWalk ends a walk early; walk turns it into success.
var errStopWalk = errors.New("stop")

// walk calls fn for each page in document order until fn returns false.
func (r *Reader) walk(root Dict, rootRef Ref, fn func(Ref, Dict, inherited) bool) error {
	w := &walkState{budget: maxPageNodes, nodes: map[Ref]Dict{}}
	err := r.walkPages(root, rootRef, inherited{}, 0, nil, w, fn)
	if errors.Is(err, errStopWalk) {
		return nil
	}
	return err
}

func containsRef(path []Ref, ref Ref) bool {
	for _, p := range path {
		if p == ref {
			return true
		}
	}
	return false
}
