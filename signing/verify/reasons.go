package verify

import "fmt"

// reason builds a Reason; detail (English, technical) is appended to both
// sentences when not empty.
func reason(code, vi, en, detail string) Reason {
	if detail != "" {
		vi += ": " + detail
		en += ": " + detail
	}
	return Reason{Code: code, VI: vi, EN: en}
}

func rUnreadable(err error) Reason {
	return reason("unreadable", "Không đọc được tệp PDF", "the PDF file cannot be read", err.Error())
}

func rNoSignatures() Reason {
	return reason("no-signatures", "Tài liệu không có chữ ký số", "the document has no signature", "")
}

func rCMS(err error) Reason {
	return reason("cms-unparsable", "Không đọc được dữ liệu chữ ký (CMS)", "the signature data (CMS) cannot be parsed", err.Error())
}

func rNoSigner() Reason {
	return reason("no-signer", "Dữ liệu chữ ký không có người ký", "the signature data has no signer", "")
}

func rSignerCertMissing() Reason {
	return reason("signer-cert-missing", "Không tìm thấy chứng thư số của người ký trong chữ ký", "the signer's certificate is not in the signature", "")
}

func rDigestAlg(detail string) Reason {
	return reason("digest-algorithm", "Thuật toán băm của chữ ký không được hỗ trợ hoặc không hợp lệ", "the signature's digest algorithm is unknown or not allowed", detail)
}

func rDigestMismatch(detail string) Reason {
	return reason("digest-mismatch", "Nội dung tài liệu đã bị thay đổi sau khi ký (giá trị băm không khớp)", "the document bytes do not match the signed digest", detail)
}

func rSignatureValue(err error) Reason {
	return reason("signature-invalid", "Giá trị chữ ký không hợp lệ với chứng thư của người ký", "the signature value does not verify with the signer's certificate", err.Error())
}

func rSigningCertAttr() Reason {
	return reason("signing-certificate-mismatch", "Chứng thư ghi trong thuộc tính signing-certificate không phải chứng thư người ký", "the signing-certificate attribute names another certificate", "")
}

func rByteRange(detail string) Reason {
	return reason("byte-range", "Vùng dữ liệu được ký (/ByteRange) không hợp lệ", "the signed byte range (/ByteRange) is invalid", detail)
}

func rPartial(end int64) Reason {
	return reason("partial-coverage", "Chữ ký không bao trùm trọn một phiên bản của tài liệu", "the signature does not cover a whole revision of the document", fmt.Sprintf("signed bytes end at %d, not at a revision end", end))
}

func rModified(n int, first Change) Reason {
	d := fmt.Sprintf("%d change(s), first: %s", n, describeChange(first))
	return reason("modified-after-signing", "Tài liệu đã bị sửa đổi không được phép sau khi ký", "the document was changed in a way that is not allowed after signing", d)
}

func rSignedRevision(err error) Reason {
	return reason("signed-revision-unreadable", "Không đọc được phiên bản đã ký để so sánh", "the signed revision cannot be read for comparison", err.Error())
}

func rNoAnchors() Reason {
	return reason("no-trust-anchors", "Chưa cấu hình chứng thư gốc tin cậy nên chưa xác định được người ký", "no trust anchors are configured, so the signer cannot be confirmed", "")
}

func rUntrusted(err error) Reason {
	return reason("chain-untrusted", "Chứng thư người ký không dẫn tới chứng thư gốc tin cậy hoặc không còn hiệu lực tại thời điểm ký", "the signer's certificate does not chain to a trusted root or was not valid at signing time", err.Error())
}

func rKeyUsage() Reason {
	return reason("key-usage", "Chứng thư người ký không được phép dùng để ký số", "the signer's certificate is not meant for signing (key usage)", "")
}

func rTimestamp(detail string) Reason {
	return reason("timestamp-invalid", "Dấu thời gian của chữ ký không hợp lệ", "the signature's timestamp is not valid", detail)
}

func rTSAUntrusted(err error) Reason {
	return reason("timestamp-untrusted", "Dấu thời gian do đơn vị không được tin cậy cấp", "the timestamp authority is not trusted", err.Error())
}

func rDocTimestamp(detail string) Reason {
	return reason("document-timestamp-invalid", "Dấu thời gian tài liệu không hợp lệ", "the document timestamp is not valid", detail)
}

func rRevoked(detail, source string) Reason {
	return reason("revoked", "Chứng thư người ký đã bị thu hồi trước thời điểm ký", "the signer's certificate was revoked before the signing time", detail+" ("+source+")")
}

func rRevokedUnproven(detail string) Reason {
	return reason("revoked-time-unproven", "Chứng thư người ký đã bị thu hồi và thời điểm ký không được chứng minh bằng dấu thời gian", "the signer's certificate is revoked and the signing time is not proven by a timestamp", detail)
}

func describeChange(c Change) string {
	s := c.Kind
	if c.Page > 0 {
		s += fmt.Sprintf(" on page %d", c.Page)
	}
	if c.Object > 0 {
		s += fmt.Sprintf(" (object %d)", c.Object)
	}
	if c.Detail != "" {
		s += ": " + c.Detail
	}
	return s
}

func rCertUnreadable(err error) Reason {
	return reason("signer-cert-unreadable", "Không đọc được chứng thư số của người ký (thuật toán chưa hỗ trợ) nên chưa kiểm tra được giá trị chữ ký", "the signer's certificate cannot be read (unsupported algorithm), so the signature value cannot be checked", err.Error())
}
