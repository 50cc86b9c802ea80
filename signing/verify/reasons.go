package verify

import (
	"fmt"
	"strings"
	"time"
)

// ETSI EN 319 102-1 sub-indications the report uses (Reason.SubIndication).
const (
	SubFormatFailure            = "FORMAT_FAILURE"
	SubHashFailure              = "HASH_FAILURE"
	SubSigCryptoFailure         = "SIG_CRYPTO_FAILURE"
	SubRevoked                  = "REVOKED"
	SubExpired                  = "EXPIRED"
	SubNotYetValid              = "NOT_YET_VALID"
	SubRevokedNoPOE             = "REVOKED_NO_POE"
	SubRevokedCANoPOE           = "REVOKED_CA_NO_POE"
	SubOutOfBoundsNoPOE         = "OUT_OF_BOUNDS_NO_POE"
	SubCryptoConstraintsNoPOE   = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
	SubCryptoConstraints        = "CRYPTO_CONSTRAINTS_FAILURE"
	SubNoChainFound             = "NO_CERTIFICATE_CHAIN_FOUND"
	SubChainConstraints         = "CHAIN_CONSTRAINTS_FAILURE"
	SubTryLater                 = "TRY_LATER"
	SubSignedDataNotFound       = "SIGNED_DATA_NOT_FOUND"
	SubNoSigningCertificate     = "NO_SIGNING_CERTIFICATE_FOUND"
	SubPolicyAcceptedRevocation = "REVOCATION_ACCEPTED_BY_POLICY" // ours: a note, not ETSI's
)

// vnZone is Vietnam's time (UTC+7), in which dates are told to people.
var vnZone = time.FixedZone("ICT", 7*3600)

func vnDate(t time.Time) string { return t.In(vnZone).Format("02/01/2006") }
func enDate(t time.Time) string { return t.In(vnZone).Format("2 Jan 2006") }

// reason builds a Reason. The technical detail (in English, from the parsers and the revocation
// checker) goes into Detail and the English text; the Vietnamese text
// stays one plain sentence.
func reason(code, vi, en, detail string) Reason {
	if detail != "" {
		en += ": " + detail
	}
	return Reason{Code: code, VI: vi, EN: en, Detail: detail}
}

// with sets the sub-indication and the advice (what to do next).
func (r Reason) with(sub, adviceVI, adviceEN string) Reason {
	r.SubIndication, r.AdviceVI, r.AdviceEN = sub, adviceVI, adviceEN
	return r
}

const (
	askSenderVI = "Đề nghị cơ quan gửi kiểm tra và gửi lại văn bản."
	askSenderEN = "Ask the sending agency to check the document and send it again."
	askITVI     = "Báo cán bộ công nghệ thông tin của cơ quan."
	askITEN     = "Tell your agency's IT staff."
)

func rUnreadable(err error) Reason {
	return reason("unreadable", "Không đọc được tệp PDF", "the PDF file cannot be read", err.Error()).
		with(SubFormatFailure, askSenderVI, askSenderEN)
}

func rNoSignatures() Reason {
	return reason("no-signatures", "Tài liệu không có chữ ký số", "the document has no signature", "").
		with(SubSignedDataNotFound, "", "")
}

func rCMS(err error) Reason {
	return reason("cms-unparsable", "Không đọc được dữ liệu chữ ký (CMS)", "the signature data (CMS) cannot be parsed", err.Error()).
		with(SubFormatFailure, askSenderVI, askSenderEN)
}

func rNoSigner() Reason {
	return reason("no-signer", "Dữ liệu chữ ký không có người ký", "the signature data has no signer", "").
		with(SubFormatFailure, askSenderVI, askSenderEN)
}

func rSignerCertMissing() Reason {
	return reason("signer-cert-missing", "Không tìm thấy chứng thư số của người ký trong chữ ký", "the signer's certificate is not in the signature", "").
		with(SubNoSigningCertificate, askSenderVI, askSenderEN)
}

func rDigestAlg(detail string) Reason {
	return reason("digest-algorithm", "Thuật toán băm của chữ ký không được hỗ trợ hoặc không hợp lệ", "the signature's digest algorithm is unknown or not allowed", detail).
		with(SubFormatFailure, askSenderVI, askSenderEN)
}

func rDigestMismatch(detail string) Reason {
	return reason("digest-mismatch", "Nội dung tài liệu đã bị thay đổi sau khi ký (giá trị băm không khớp)", "the document bytes do not match the signed digest", detail).
		with(SubHashFailure, askSenderVI, askSenderEN)
}

func rSignatureValue(err error) Reason {
	return reason("signature-invalid", "Giá trị chữ ký không hợp lệ với chứng thư của người ký", "the signature value does not verify with the signer's certificate", err.Error()).
		with(SubSigCryptoFailure, askSenderVI, askSenderEN)
}

func rSignedAttrsNotDER(err error) Reason {
	return reason("signed-attributes-not-der", "Giá trị chữ ký không khớp với các thuộc tính được ký ở dạng mã hóa DER (RFC 5652 yêu cầu); phần mềm ký đã ký sai dạng mã hóa", "the signature value does not verify over the DER encoding of the signed attributes (RFC 5652 5.4): the signing software signed another encoding", err.Error()).
		with(SubHashFailure, askSenderVI, askSenderEN)
}

func rUnsupported(err error) Reason {
	return reason("unsupported-algorithm", "Chữ ký dùng thuật toán hoặc tham số khóa mà phần mềm chưa hỗ trợ nên chưa kiểm tra được (không có nghĩa là chữ ký sai)", "the signature uses an algorithm or key parameter this verifier does not support, so it cannot be checked (which does not mean it is wrong)", err.Error()).
		with(SubCryptoConstraints, askITVI, askITEN)
}

func rSigningCertAttr() Reason {
	return reason("signing-certificate-mismatch", "Chứng thư ghi trong thuộc tính signing-certificate không phải chứng thư người ký", "the signing-certificate attribute names another certificate", "").
		with(SubSigCryptoFailure, askSenderVI, askSenderEN)
}

func rByteRange(detail string) Reason {
	return reason("byte-range", "Vùng dữ liệu được ký (/ByteRange) không hợp lệ", "the signed byte range (/ByteRange) is invalid", detail).
		with(SubFormatFailure, askSenderVI, askSenderEN)
}

func rPartial(end int64) Reason {
	return reason("partial-coverage", "Chữ ký không bao trùm trọn một phiên bản của tài liệu", "the signature does not cover a whole revision of the document", fmt.Sprintf("signed bytes end at %d, not at a revision end", end)).
		with(SubFormatFailure, askSenderVI, askSenderEN)
}

func rModified(n int, first Change) Reason {
	vi := "Tài liệu đã bị sửa đổi không được phép sau khi ký: " + first.Text("vi")
	en := "the document was changed in a way that is not allowed after signing: " + first.Text("en")
	if n > 1 {
		vi += fmt.Sprintf(" (và %d thay đổi khác)", n-1)
		en += fmt.Sprintf(" (and %d more)", n-1)
	}
	return Reason{Code: "modified-after-signing", VI: vi, EN: en}.
		with(SubHashFailure, "Xem phiên bản đã ký để biết nội dung người ký đã ký; không dùng bản hiện tại. "+askSenderVI,
			"Open the signed revision to see what the signer signed; do not rely on the current one. "+askSenderEN)
}

func rSignedRevision(err error) Reason {
	return reason("signed-revision-unreadable", "Không đọc được phiên bản đã ký để so sánh", "the signed revision cannot be read for comparison", err.Error()).
		with(SubFormatFailure, askSenderVI, askSenderEN)
}

func rNoAnchors() Reason {
	return reason("no-trust-anchors", "Chưa cấu hình chứng thư gốc tin cậy nên chưa xác định được người ký", "no trust anchors are configured, so the signer cannot be confirmed", "").
		with(SubNoChainFound, "Cài danh sách chứng thư gốc tin cậy (Cài đặt, hoặc vanthuctl trust). "+askITVI, "Install the trust list (Settings, or vanthuctl trust). "+askITEN)
}

func rKeyUsage() Reason {
	return reason("key-usage", "Chứng thư người ký không được phép dùng để ký số", "the signer's certificate is not meant for signing (key usage)", "").
		with(SubChainConstraints, askSenderVI, askSenderEN)
}

func rTimestamp(detail string) Reason {
	return reason("timestamp-invalid", "Dấu thời gian của chữ ký không hợp lệ nên không chứng minh được thời điểm ký", "the signature's timestamp is not valid, so it proves no time", detail).
		with(SubSigCryptoFailure, askSenderVI, askSenderEN)
}

func rDocTimestamp(detail string) Reason {
	return reason("document-timestamp-invalid", "Dấu thời gian tài liệu không hợp lệ", "the document timestamp is not valid", detail).
		with(SubSigCryptoFailure, askSenderVI, askSenderEN)
}

func rRevoked(detail, source string) Reason {
	return reason("revoked", "Chứng thư người ký đã bị thu hồi trước thời điểm ký", "the signer's certificate was revoked before the signing time", detail+" ("+source+")").
		with(SubRevoked, askSenderVI, askSenderEN)
}

func rRevokedUnproven(detail string) Reason {
	return reason("revoked-time-unproven", "Chứng thư người ký đã bị thu hồi và không có dấu thời gian chứng minh chữ ký được tạo trước khi thu hồi", "the signer's certificate is revoked and no timestamp proves the signature was made before", detail).
		with(SubRevokedNoPOE, askSenderVI, askSenderEN)
}

func rCARevoked(name, detail string, proven bool) Reason {
	r := reason("ca-revoked", fmt.Sprintf("Chứng thư của tổ chức cấp “%s” trong chuỗi chứng thực đã bị thu hồi", name),
		fmt.Sprintf("the certificate of the issuing authority %q in the chain is revoked", name), detail)
	sub := SubRevokedCANoPOE
	if proven {
		r.VI += " trước thời điểm ký"
		r.EN += " before the signing time"
		sub = SubRevoked
	}
	return r.with(sub, askSenderVI, askSenderEN)
}

func rRevocationUnknown(name, problem string, retry bool) Reason {
	r := reason("revocation-unknown", fmt.Sprintf("Chưa kiểm tra được chứng thư của “%s” có bị thu hồi hay không", name),
		fmt.Sprintf("whether the certificate of %q was revoked could not be checked", name), problem)
	vi := "Hãy kết nối mạng rồi kiểm tra lại; nếu vẫn không được, đề nghị cơ quan đã gửi văn bản gửi lại bản có thông tin kiểm tra dài hạn (B-LT)."
	en := "Connect to the network and check again; if that fails, ask the sender for a long-term (B-LT) file."
	if !retry {
		vi = "Đề nghị cơ quan đã gửi văn bản gửi lại bản có thông tin kiểm tra dài hạn (B-LT), hoặc báo cán bộ công nghệ thông tin."
		en = "Ask the sender for a long-term (B-LT) file, or tell your IT staff."
	}
	return r.with(SubTryLater, vi, en)
}

func rExpiredNoProof(name string, notAfter time.Time) Reason {
	return Reason{Code: "certificate-expired-no-proof",
		VI: fmt.Sprintf("Chứng thư của “%s” đã hết hạn ngày %s và không có dấu thời gian tin cậy chứng minh chữ ký được tạo khi chứng thư còn hiệu lực", name, vnDate(notAfter)),
		EN: fmt.Sprintf("the certificate of %q expired on %s and no trusted timestamp proves the signature was made while it was valid", name, enDate(notAfter)),
	}.with(SubOutOfBoundsNoPOE, "Đề nghị cơ quan đã gửi văn bản gửi lại bản có dấu thời gian (B-T trở lên) hoặc ký lại bằng chứng thư còn hiệu lực.",
		"Ask the sender for a timestamped (B-T or higher) file, or to sign again with a valid certificate.")
}

func rExpiredAtProof(name string, notBefore, notAfter, at time.Time) Reason {
	return Reason{Code: "certificate-not-valid-at-signing",
		VI: fmt.Sprintf("Chứng thư của “%s” (hiệu lực %s – %s) không còn hiệu lực tại thời điểm ký đã được chứng minh (%s)", name, vnDate(notBefore), vnDate(notAfter), vnDate(at)),
		EN: fmt.Sprintf("the certificate of %q (valid %s – %s) was not valid at the proven signing time (%s)", name, enDate(notBefore), enDate(notAfter), enDate(at)),
	}.with(SubExpired, askSenderVI, askSenderEN)
}

func rUnknownRoot(name, fp string) Reason {
	return Reason{Code: "unknown-root",
		VI: fmt.Sprintf("Chuỗi chứng thực dẫn tới chứng thư gốc “%s” không có trong danh sách tin cậy (SHA-256 %s)", name, fp),
		EN: fmt.Sprintf("the chain ends at the root %q, which is not in the trust list (SHA-256 %s)", name, fp),
	}.with(SubNoChainFound,
		"Cán bộ công nghệ thông tin đối chiếu dấu vân tay SHA-256 với công bố chính thức của tổ chức chứng thực, rồi thêm chứng thư gốc (vanthuctl trust add, hoặc Cài đặt).",
		"IT staff compare the SHA-256 fingerprint with the certification authority's official publication, then add the root (vanthuctl trust add, or Settings).")
}

func rNoIssuer(detail string) Reason {
	return reason("issuer-not-found", "Không tìm thấy chứng thư của tổ chức cấp để dựng chuỗi chứng thực", "the issuing authority's certificate needed for the chain was not found", detail).
		with(SubNoChainFound, "Kết nối mạng để phần mềm tự tải chứng thư trung gian, hoặc cài chứng thư CA trung gian. "+askITVI,
			"Connect to the network so the intermediate can be fetched, or install the intermediate CA certificate. "+askITEN)
}

func rChain(detail string) Reason {
	return reason("chain-invalid", "Chuỗi chứng thực của người ký không hợp lệ", "the signer's certificate chain is not valid", detail).
		with(SubChainConstraints, askSenderVI, askSenderEN)
}

func rAlgorithmRejected(what, detail string, proven bool) Reason {
	sub := SubCryptoConstraintsNoPOE
	if proven {
		sub = SubCryptoConstraints
	}
	return reason("algorithm-rejected", fmt.Sprintf("%s dùng thuật toán đã hết hạn sử dụng an toàn tại thời điểm ký", what),
		fmt.Sprintf("%s uses an algorithm no longer acceptable at the signing time", what), detail).
		with(sub, "Đề nghị cơ quan gửi ký lại bằng thuật toán an toàn (SHA-256).", "Ask the sender to sign again with a secure algorithm (SHA-256).")
}

func rTSAUntrusted(detail string) Reason {
	return reason("timestamp-untrusted", "Dấu thời gian do đơn vị không có trong danh sách tin cậy cấp nên không chứng minh được thời điểm ký", "the timestamp comes from an authority that is not trusted, so it proves no time", detail).
		with(SubNoChainFound, askITVI, askITEN)
}

func rCertUnreadable(err error) Reason {
	return reason("signer-cert-unreadable", "Không đọc được chứng thư số của người ký (thuật toán chưa hỗ trợ) nên chưa kiểm tra được giá trị chữ ký", "the signer's certificate cannot be read (unsupported algorithm), so the signature value cannot be checked", err.Error()).
		with(SubCryptoConstraints, askITVI, askITEN)
}

// Notes: things a person should know about a signature whatever its
// verdict.

func nAlgorithmBeforeSunset(what, alg string, sunset, at time.Time, proven bool) Reason {
	how, howEN := "theo thời điểm ký do người ký tự khai, chưa được chứng minh", "by the signing time the signer claims, not proven"
	if proven {
		how, howEN = "theo thời điểm ký đã được dấu thời gian chứng minh", "by the signing time a timestamp proves"
	}
	return Reason{Code: "algorithm-before-sunset",
		VI: fmt.Sprintf("%s dùng %s, chỉ được chấp nhận cho chữ ký tạo trước %s; chữ ký này tạo ngày %s (%s)", what, alg, vnDate(sunset), vnDate(at), how),
		EN: fmt.Sprintf("%s uses %s, accepted only for signatures made before %s; this one was made on %s (%s)", what, alg, enDate(sunset), enDate(at), howEN),
	}
}

func nSHA1Imprint(at time.Time) Reason {
	return Reason{Code: "timestamp-sha1-imprint",
		VI: fmt.Sprintf("Dấu thời gian (ngày %s) tóm lược chữ ký bằng SHA-1; vẫn được chấp nhận vì giá trị chữ ký không thể bị tạo trùng có chủ đích", vnDate(at)),
		EN: fmt.Sprintf("the timestamp (of %s) digests the signature with SHA-1; accepted, since a signature value cannot be shaped into a collision", enDate(at)),
	}
}

func nRevocationAccepted(name string) Reason {
	return Reason{Code: "revocation-not-checked-accepted",
		VI:            fmt.Sprintf("Chưa kiểm tra được tình trạng thu hồi chứng thư của “%s”; chính sách của cơ quan cho phép chấp nhận", name),
		EN:            fmt.Sprintf("the revocation status of %q was not checked; the agency's policy accepts that", name),
		SubIndication: SubPolicyAcceptedRevocation,
	}
}

func nRevokedAfter(name string, at time.Time) Reason {
	return Reason{Code: "revoked-after-signing",
		VI: fmt.Sprintf("Chứng thư của “%s” đã bị thu hồi ngày %s, sau thời điểm ký đã được chứng minh: chữ ký vẫn có giá trị", name, vnDate(at)),
		EN: fmt.Sprintf("the certificate of %q was revoked on %s, after the proven signing time: the signature stands", name, enDate(at)),
	}
}

func nTSARevocationUnknown(name string) Reason {
	return Reason{Code: "tsa-revocation-unknown",
		VI: fmt.Sprintf("Chưa kiểm tra được tình trạng thu hồi chứng thư của đơn vị cấp dấu thời gian “%s”", name),
		EN: fmt.Sprintf("the revocation status of the timestamp authority %q was not checked", name),
	}
}

func nFetchedIssuer(name string) Reason {
	return Reason{Code: "issuer-fetched",
		VI: fmt.Sprintf("Chứng thư trung gian “%s” được tải về từ địa chỉ ghi trong chứng thư (AIA)", name),
		EN: fmt.Sprintf("the intermediate %q was fetched from the address its subordinate names (AIA)", name),
	}
}

// Text describes a change for people, in Vietnamese ("vi") or English.
func (c Change) Text(lang string) string {
	vi := lang != "en"
	var s string
	if vi {
		s = changeKindVI[c.Kind]
		if s == "" {
			s = "đối tượng " + c.Kind
		}
		if c.Page > 0 {
			s += fmt.Sprintf(" trên trang %d", c.Page)
		}
		if c.Object > 0 {
			s += fmt.Sprintf(" (đối tượng %d)", c.Object)
		}
	} else {
		s = strings.ReplaceAll(c.Kind, "-", " ")
		if c.Page > 0 {
			s += fmt.Sprintf(" on page %d", c.Page)
		}
		if c.Object > 0 {
			s += fmt.Sprintf(" (object %d)", c.Object)
		}
	}
	// Detail is the verifier's technical note, in English: for the English
	// text and the JSON report, not for a Vietnamese sentence.
	if c.Detail != "" && !vi {
		s += " — " + c.Detail
	}
	return s
}

// changeKindVI names the kinds of Change in Vietnamese.
var changeKindVI = map[string]string{
	"page-content":     "nội dung trang bị thay",
	"page-resources":   "tài nguyên của trang (phông chữ, hình ảnh) bị thay",
	"page":             "trang bị sửa",
	"pages":            "danh sách trang bị thay đổi",
	"annotation":       "chú thích (annotation) bị thêm, sửa hoặc xóa",
	"appearance":       "hình hiển thị của chú thích hoặc trường bị thay",
	"widget":           "ô của trường biểu mẫu bị thêm hoặc sửa",
	"form-field":       "trường biểu mẫu bị thêm, sửa hoặc xóa",
	"form-fill":        "điền biểu mẫu",
	"form-resources":   "tài nguyên mặc định của biểu mẫu bị thay",
	"locked-field":     "trường đã bị khóa khi ký lại bị sửa",
	"signature-field":  "trường chữ ký",
	"signature-widget": "ô chữ ký mới",
	"signature-dict":   "dữ liệu của một chữ ký đã có bị viết lại",
	"signature-mark":   "số và ngày văn bản do văn thư đóng kèm chữ ký",
	"acroform":         "biểu mẫu (AcroForm) bị sửa",
	"catalog":          "thông tin chung của tài liệu bị sửa",
	"dss":              "dữ liệu kiểm tra dài hạn (DSS)",
	"structure":        "cấu trúc đánh dấu của tài liệu",
	"metadata":         "siêu dữ liệu",
	"info":             "thông tin tài liệu (tiêu đề, tác giả)",
	"object-deleted":   "đối tượng của phiên bản đã ký bị xóa",
	"object":           "đối tượng bị viết lại",
}
