package client

import (
	"net/http"
	"testing"

	"github.com/vanthuso/vanthu/sync/protocol"
)

// A HEAD answer has no body: the code comes from the Vanthu-Error header,
// so that an expired session found by a HEAD still says "sign in again"
// rather than "not signed in"; a header of another shape is not believed.
func TestDecodeErrorHeadAnswer(t *testing.T) {
	h := http.Header{}
	h.Set(protocol.HeaderErrorCode, protocol.CodeSessionExpired)
	if e := decodeError(401, h, nil); e.Code != protocol.CodeSessionExpired || !NeedLogin(e) {
		t.Fatalf("HEAD 401 with %s: %+v", protocol.CodeSessionExpired, e)
	}
	h.Set(protocol.HeaderErrorCode, "<script>")
	if e := decodeError(401, h, nil); e.Code != protocol.CodeUnauthenticated {
		t.Fatalf("HEAD 401 with a hostile header: %+v", e)
	}
	// A body wins over the header.
	h.Set(protocol.HeaderErrorCode, protocol.CodeSessionExpired)
	if e := decodeError(403, h, []byte(`{"error":{"code":"forbidden","message":"x"}}`)); e.Code != protocol.CodeForbidden {
		t.Fatalf("403 with a body: %+v", e)
	}
}
