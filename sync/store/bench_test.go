package store

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// envBenchDir names a directory where the benchmarks' cache is built
// once and kept for later runs (while working on the benchmarks); by
// default it is built in a temporary directory and removed.
const envBenchDir = "VANTHU_STORE_BENCH_DIR"

// benchDocs is the size of the benchmarks' cache (Acceptance: 100 000).
const benchDocs = 100_000

var bench struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// benchCache builds, once per test binary run, a closed cache of
// benchDocs documents (95 % inbox, 5 % sent outbox) with realistic
// Vietnamese metadata, a verification report per main file and about
// 2 KB of PDF text each (benchText), in transactions of 1000 as the feed
// would bring them.
func benchCache(b *testing.B) string {
	bench.once.Do(func() {
		start := time.Now()
		if keep := os.Getenv(envBenchDir); keep != "" {
			bench.path = filepath.Join(keep, "cache.db")
			if _, err := os.Stat(bench.path); err == nil {
				return
			}
			bench.err = os.MkdirAll(keep, 0o700)
		} else {
			bench.dir, bench.err = os.MkdirTemp("", "vanthu-store-bench-")
			bench.path = filepath.Join(bench.dir, "cache.db")
		}
		if bench.err != nil {
			return
		}
		bench.err = buildBenchCache(bench.path)
		if fi, err := os.Stat(bench.path); err == nil {
			fmt.Fprintf(os.Stderr, "bench: cache of %d documents built in %v, %.0f MB\n", benchDocs, time.Since(start).Round(time.Second), float64(fi.Size())/1e6)
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.path
}

func removeBenchCache() {
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
}

func buildBenchCache(path string) error {
	s, err := Open(path, Options{})
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(2025, 8))
	report := []byte(`{"verdict":"valid","signatures":[{"signer":"CN=Nguyễn Đức Trung,O=UBND tỉnh Nghệ An","role":"leader","integrity":"intact","coverage":"whole","trust":"trusted","chain":["CN=Nguyễn Đức Trung","CN=Ban Cơ yếu Chính phủ CA","CN=Root CA Chính phủ"],"revocation":"good","timestamp":"2025-01-02T03:04:05Z"},{"signer":"CN=UBND tỉnh Nghệ An","role":"agency","integrity":"intact","coverage":"whole","trust":"trusted","revocation":"good"}]}`)
	t0 := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	var id [16]byte
	for done := 0; done < benchDocs; {
		n := min(1000, benchDocs-done)
		box := BoxInbox
		if done >= benchDocs*95/100 {
			box = BoxOutbox
		}
		msgs := make([]protocol.Message, 0, n)
		for i := range n {
			k := done + i
			for j := range id {
				id[j] = byte(r.Uint32())
			}
			doc := sampleDoc(r, k)
			at := t0.Add(time.Duration(k) * 17 * time.Minute)
			m := message(hex.EncodeToString(id[:]), doc, at)
			m.Verification = map[string]protocol.Verification{doc.Attachments[0].SHA256: {Verdict: "valid", At: at, Report: report}}
			m.Deliveries = []protocol.Delivery{{OrganID: doc.To[0].OrganID, Status: edoc.StatusArrived, UpdatedAt: at.Add(time.Minute)}}
			m.Statuses = []protocol.StatusEvent{{MessageID: m.ID, OrganID: doc.To[0].OrganID, Status: edoc.StatusArrived, At: at.Add(time.Minute), Automatic: true}}
			msgs = append(msgs, m)
		}
		if err := s.Resync(msgs, box, fmt.Sprint(done+n)); err != nil {
			s.Close()
			return err
		}
		// Each document's PDF text, as the extractor would index it
		// (in one transaction per batch here, to build faster).
		err := s.update(func(tx *bolt.Tx) error {
			for i := range msgs {
				if err := s.setText(tx, msgs[i].ID, benchText(r, done+i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			s.Close()
			return err
		}
		done += n
	}
	// Most of the inbox has been read.
	inbox, _, err := s.List(ListQuery{Box: BoxInbox, Limit: 200})
	if err != nil {
		return err
	}
	for _, d := range inbox[20:] {
		if err := s.MarkRead(d.Key); err != nil {
			return err
		}
	}
	return s.Close()
}

// BenchmarkOpenFirstPage: Open of the 100 000-document cache and the
// first page of 50 of the inbox (Acceptance: ≤ 300 ms). The cache was
// closed cleanly, as the app leaves it.
func BenchmarkOpenFirstPage(b *testing.B) {
	path := benchCache(b)
	b.ResetTimer()
	for b.Loop() {
		s, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		docs, next, err := s.List(ListQuery{Box: BoxInbox})
		if err != nil || len(docs) != 50 || next == "" {
			b.Fatalf("first page: %d documents, %v", len(docs), err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// benchQueries is what users type: a type, a number, an agency, a signer,
// words of a subject, with and without diacritics.
var benchQueries = []string{
	"quyết định", "quyet dinh", "05/qđ", "123/QĐ-UBND", "sở tài chính", "so tai chinh nghe an", "nguyễn đức trung",
	"lê hồng", "kế hoạch phòng chống thiên tai", "đô lương", "000.00.12.H40", "dự toán ngân sách", "tuyển sinh lớp 10",
	"1234", "hà nội giáo dục", "h26", "tờ trình", "chuyển đổi số", "giao ban đất đai", "thông báo 2024",
	"bộ tài nguyên", "quyết toán kinh phí môi trường 2023", "đắk lắk nội vụ", "ubnd", "giấy mời họp", "ca",
}

// BenchmarkSearch: searches of the inbox of the 100 000-document cache,
// a mix of queries, first page of 50; reports the 95th percentile
// (Acceptance: p95 ≤ 50 ms).
func BenchmarkSearch(b *testing.B) {
	path := benchCache(b)
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, q := range benchQueries { // warm, and check that they find
		if docs, err := s.Search(q, BoxInbox, 50); err != nil || len(docs) == 0 {
			b.Fatalf("search %q: %d found, %v", q, len(docs), err)
		}
	}
	var times []time.Duration
	b.ResetTimer()
	i := 0
	for b.Loop() {
		q := benchQueries[i%len(benchQueries)]
		i++
		start := time.Now()
		if _, err := s.Search(q, BoxInbox, 50); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
}

// textPhrases are the phrases of administrative Vietnamese benchText
// writes documents' text from, the first ones the most frequent.
var textPhrases = phrases(`
căn_cứ luật tổ_chức chính_quyền địa_phương ngày tháng năm theo đề_nghị của giám_đốc sở
ủy_ban nhân_dân tỉnh quyết_định điều các cơ_quan đơn_vị có trách_nhiệm thi_hành
quyết_định này kể_từ ngày ký ban_hành chánh_văn_phòng thủ_trưởng sở ban ngành
chủ_tịch huyện thành_phố thị_xã xã phường thị_trấn tổ_chức cá_nhân liên_quan
báo_cáo kết_quả thực_hiện kế_hoạch nhiệm_vụ trọng_tâm phát_triển kinh_tế xã_hội
bảo_đảm quốc_phòng an_ninh trật_tự an_toàn xã_hội nâng_cao hiệu_quả quản_lý
nhà_nước cải_cách hành_chính chuyển_đổi số chính_phủ điện_tử dịch_vụ công
trực_tuyến hồ_sơ thủ_tục giải_quyết đúng thời_hạn quy_định tiếp_nhận trả_kết_quả
ngân_sách dự_toán thu chi quyết_toán kinh_phí nguồn_vốn đầu_tư công xây_dựng
cơ_bản công_trình dự_án giải_phóng mặt_bằng bồi_thường hỗ_trợ tái_định_cư đất_đai
quy_hoạch sử_dụng đất tài_nguyên môi_trường khoáng_sản nước biển đảo rừng
nông_nghiệp nông_thôn mới thủy_lợi phòng_chống thiên_tai lụt_bão tìm_kiếm cứu_nạn
giáo_dục đào_tạo trường học sinh giáo_viên tuyển_sinh y_tế bệnh_viện dịch_bệnh
văn_hóa thể_thao du_lịch lao_động thương_binh xã_hội việc_làm giảm_nghèo bảo_hiểm
nội_vụ cán_bộ công_chức viên_chức biên_chế tuyển_dụng bổ_nhiệm khen_thưởng kỷ_luật
thanh_tra kiểm_tra giám_sát khiếu_nại tố_cáo phòng_chống tham_nhũng lãng_phí
tư_pháp công_an quân_sự biên_phòng giao_thông vận_tải công_thương điện lực
khoa_học công_nghệ thông_tin truyền_thông báo_chí xuất_bản ngoại_vụ hợp_tác quốc_tế
đề_nghị các đơn_vị khẩn_trương triển_khai tổng_hợp gửi về trước ngày để tổng_hợp
trình cấp có thẩm_quyền xem_xét phê_duyệt nơi nhận như trên lưu văn_thư
`)

// phrases splits s at white space and writes "_" as a space.
func phrases(s string) []string {
	f := strings.Fields(s)
	for i := range f {
		f[i] = strings.ReplaceAll(f[i], "_", " ")
	}
	return f
}

// rareWord is in one document in 1000 (benchText).
const rareWord = "Mường Xén"

// benchText writes about 2 KB of a document's text: phrases drawn with
// a skew towards the first ones, the number and year of the document,
// and rareWord in one document in 1000.
func benchText(r *rand.Rand, k int) string {
	var b strings.Builder
	b.Grow(2200)
	fmt.Fprintf(&b, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nSố: %d/QĐ-UBND\n", k)
	if k%1000 == 7 {
		b.WriteString("về việc hỗ trợ thị trấn " + rareWord + " huyện Kỳ Sơn\n")
	}
	for b.Len() < 2000 {
		u := r.Float64()
		b.WriteString(textPhrases[int(u*u*float64(len(textPhrases)))])
		if r.IntN(12) == 0 {
			b.WriteString(".\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// findQueries are the kinds of query BenchmarkFind times, over metadata
// and text together.
var findQueries = []struct {
	name    string
	queries []Query
}{
	{"one-word", []Query{{Text: "bồi"}, {Text: "khoáng"}, {Text: "tuyển"}, {Text: "quyết"}, {Text: "nghe"}, {Text: "thanh"}}},
	{"two-words", []Query{{Text: "giải phóng"}, {Text: "bồi thường"}, {Text: "tham nhũng"}, {Text: "dự toán"}, {Text: "sở tài"}, {Text: "lũ bão"}}},
	{"word+filters", []Query{
		{Text: "thiên tai", Year: 2024, Type: "Quyết định"},
		{Text: "đất đai", Sender: "000.00.12.H40"},
		{Text: "kinh phí", Status: edoc.StatusArrived, Year: 2021},
		{Text: "hồ sơ", Register: edoc.RegisterIncoming, Type: "Công văn", Year: 2025},
		{Text: "biển đảo", Box: BoxOutbox},
	}},
	{"rare-word", []Query{{Text: "mường xén"}, {Text: "muong xen ky son"}, {Text: "Xén"}, {Text: "Mườ"}}},
	{"common-word", []Query{{Text: "của"}, {Text: "ngày"}, {Text: "tỉnh"}, {Text: "căn cứ"}, {Text: "ủy ban nhân dân"}}},
}

// BenchmarkFind: Find over the 100 000-document cache with its text,
// first page of 50, per kind of query; reports each kind's 95th
// percentile (Acceptance: p95 ≤ 100 ms).
func BenchmarkFind(b *testing.B) {
	path := benchCache(b)
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, kind := range findQueries {
		b.Run(kind.name, func(b *testing.B) {
			for _, q := range kind.queries { // warm, and check that they find
				if docs, _, err := s.Find(q); err != nil || len(docs) == 0 {
					b.Fatalf("find %+v: %d found, %v", q, len(docs), err)
				}
			}
			var times []time.Duration
			i := 0
			for b.Loop() {
				q := kind.queries[i%len(kind.queries)]
				i++
				start := time.Now()
				if _, _, err := s.Find(q); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
		})
	}
}
