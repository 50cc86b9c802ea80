package profile

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
)

// FuzzKey: a user id or a server address, whatever the server or a user
// sends, is a plain file name: no separator, no dot first (".", ".."),
// stable, and the folder it names stays two levels under the root.
func FuzzKey(f *testing.F) {
	for _, s := range []string{"van-thu-stc", "../..", "a/b", `C:\x`, "Văn thư", "", "https://vanthu.gov.vn:8443/x"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, server, user string) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, server, user)()
		for _, k := range []string{Key(user), ServerKey(server)} {
			if k == "" || strings.HasPrefix(k, ".") || strings.ContainsAny(k, `/\:`+"\x00") || len(k) > 60 {
				t.Fatalf("key %q of %q / %q is not a plain file name", k, server, user)
			}
		}
		if Key(user) != Key(user) {
			t.Fatal("Key is not stable")
		}
		root := filepath.Join("root", "dir")
		rel, err := filepath.Rel(root, UserDir(root, server, user))
		if err != nil || strings.HasPrefix(rel, "..") || strings.Count(rel, string(filepath.Separator)) != 1 {
			t.Fatalf("UserDir(%q, %q) leaves the root: %s", server, user, rel)
		}
	})
}
