// Package edoc is the domain of Văn Thư Số: the metadata of an official
// document (Nghị định 30/2020 Phụ lục VI, the edXML MessageHeader of QCVN
// 102:2016), agencies and their mã định danh, the agency directory,
// status codes and business types, and the registers of incoming and
// outgoing documents. Plain Go: no storage, no network, no UI. Names
// shown to users are Labels, Vietnamese first; errors meant for users
// are *FieldError, with a Vietnamese and an English sentence.
//
// # Documents
//
// Document holds every field of Phụ lục VI and edXML. Document.Validate
// checks one to send and returns every problem at once, as a
// *ValidationError of *FieldError (Field is the JSON path: "subject",
// "to[1].organ_id"). SafeFileName is its rule for attachment names,
// IsSHA256Hex for their hashes. DocumentIDFor writes edXML's DocumentId
// ("OrganId,yyyy/MM/dd,số/ký hiệu"); ParseDocumentID reads it back, and
// answers ok false, not an error, for the UUIDs some producers put there.
//
// # Mã định danh
//
// ParseOrganID reads DDD.DD.DD.Lnn (13 characters; QĐ 20/2020/QĐ-TTg,
// amended by QĐ 09/2025/QĐ-TTg), normalising white space and the
// letter's case. The level-1 group Lnn is last, levels 2, 3 and 4 go
// leftwards; an agency's Level is that of its deepest non-zero group and
// its Parent the code with that group zeroed: 001.00.10.H47 →
// 000.00.10.H47 → 000.00.00.H47. Letter is the level-1 letter (G
// central, H provinces; LetterLabel).
//
// # Directory
//
// Directory indexes agencies (DirectoryEntry) for lookup by code in
// O(1), the children of a code, pages in code order (After) and Search
// by name or code: diacritic- and case-insensitive through Fold, every
// query word a word prefix (MatchWordPrefixes), ranked (exact code, code
// prefix, name prefix, other matches) and limited. Built for the
// national directory's 111,000 agencies: an inverted index of folded
// words with postings; BenchmarkDirectorySearch measures it.
// ReadDirectoryJSON, ReadDirectoryCSV and their writers move directories
// in and out, the JSON reader also in the axis SDK's shape {id, pid,
// code, name, mail}. DemoDirectory is a small embedded directory.
//
// # Search keys
//
// Fold is the search key of every diacritic-insensitive search (the
// directory's, the client cache's): NFD, combining marks dropped, đ → d,
// lower case, runs of other characters one space. AppendFold writes it
// without allocating.
//
// # Statuses and codes
//
// Status has Labels, ParseStatus (reading 14 as 15) and a state machine,
// Progress, documented on the type: two tracks, processing (01 → 02|03,
// 03 → 04|05, 04 → 05, 05 → 06) and change (13 → 15|16); refusals need a
// reason. Priority, Confidentiality and BusinessType have Labels; the
// first two parse from codes or names (ParsePriority,
// ParseConfidentiality).
//
// # Document types
//
// DocTypes are the 29 administrative document types of Nghị định 30
// Điều 7 with the abbreviations of Phụ lục III, CopyForms the forms of
// copy; LookupDocType finds one by name or abbreviation, DocTypeOfNotation
// by the first group of a ký hiệu.
//
// # Registers
//
// RegisterEntry has the columns of the registers of Phụ lục IV (sổ văn
// bản đến, sổ văn bản đi). Enter numbers and appends an entry through a
// RegisterBook (the cache implements one in a transaction; Register is
// the in-memory one) and returns the entries with the same DuplicateKey
// (số, ký hiệu, issuing agency, compared after normalisation) for the
// duplicate warning. Numbering.Next restarts at 01 each 1 January,
// Vietnam time. FormatPlaceDate writes "Hà Nội, ngày 05 tháng 01 năm
// 2020" with Phụ lục I's padding.
//
// # Signers
//
// ParseCompetence reads the authority a signer signs under: grants of
// TM., Q., KT., TL., TUQ. (Authorities), one or a chain.
package edoc
