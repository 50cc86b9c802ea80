// Package pdf reads the object structure of PDF files lazily and writes PDF
// object syntax. It is the foundation of the signature writer
// (signing/pades) and the verifier (signing/verify); it knows nothing about
// signatures itself.
//
// # Reading
//
// [Open] takes an [io.ReaderAt] and the file size and reads only the
// cross-reference data: classic xref tables (with subsections), xref streams
// (/W, /Index), hybrid files (/XRefStm in a table trailer) and every older
// section reached through /Prev. The newest definition of an object wins.
// Objects are parsed when asked for: [Reader.Get] reads one object from its
// file offset or from its object stream, [Reader.Resolve] and
// [Reader.ResolveDict] follow references. Streams come back as [*Stream]
// holding the offset and length of their data, never the data itself;
// [Reader.StreamData] decodes it (FlateDecode with PNG/TIFF predictors,
// LZWDecode, ASCIIHexDecode, ASCII85Decode, RunLengthDecode) and
// [Reader.RawStream] returns the raw bytes as a reader.
//
// [Reader.Catalog], [Reader.NumPages] and [Reader.Page] walk the document
// catalog and the page tree; Page descends by the /Count of intermediate
// nodes and resolves inherited /MediaBox, /CropBox and /Rotate into a
// [PageGeometry].
//
// For incremental updates and verification the Reader also reports the
// file's revision structure: [Reader.StartXRef], [Reader.XRefOffsets],
// [Reader.XRefIsStream], [Reader.EOFOffsets], [Reader.Size] and
// [Reader.ObjectOffset].
//
// [ParseObject] and [Scanner] parse PDF syntax held in memory, for example a
// decoded content stream.
//
// # Memory
//
// Nothing is proportional to the file size. Open reads the tail of the file
// and the xref sections; objects are lexed from small buffered reads (512
// bytes, then 4 KiB). Scans over the whole file (repair, [Reader.EOFOffsets],
// searching for "endstream" when /Length is wrong) read 64 KiB windows. A
// 200 MB file opens, and its catalog and first page are read, with well
// under 1 MB allocated. Memory grows with the number of objects (one small
// xref entry each), with the decoded object streams kept in a small cache
// (at most 32 streams and 64 MiB) and with what callers ask StreamData to
// decode (at most 256 MiB by default, see [Reader.SetDecodeLimit]).
//
// # Robustness and repair
//
// Files from many producers are read as other readers read them: bytes
// before "%PDF-" (offsets counted from the header are recognised), a
// startxref slightly off or beyond the end of the file (the section nearby
// is used), entry lines ending in "\r\n", " \n" or " \r", a first subsection
// numbered 1 that starts with the entry of object 0, junk after %%EOF,
// CR-only line endings, /Length given by reference or wrong (the data then
// ends at "endstream"), /Encrypt null, and objects whose xref offset is off
// (found by scanning instead). When the cross-reference data cannot be read
// at all, or the /Prev chain breaks, or the catalog does not resolve, the
// file is scanned for "N G obj" headers, object streams, "trailer"
// dictionaries and xref streams, and [Reader.Repaired] reports true.
//
// Hostile input is bounded everywhere: nesting of arrays and dictionaries
// (100), reference chains (32), page tree depth (64) and nodes visited (65536),
// xref sections followed (4096, with cycle detection), filters per stream (8),
// decoded size. Counts read from the file (/Size, /N, /Count, subsection
// lengths, /Index) never size an allocation. Nothing panics on bad input.
//
// # What it does not do
//
// It does not decrypt. [Reader.Encrypted] reports an /Encrypt entry in the
// trailer; strings of an encrypted file come back as stored (encrypted) and
// StreamData refuses every stream except cross-reference streams with an
// error wrapping [ErrEncrypted], so objects inside object streams of an
// encrypted file cannot be read either. It does not write whole files and
// does not decode image codecs (DCT, JPX, JBIG2, CCITT): StreamData returns
// an error for those and RawStream gives their bytes.
//
// # Serialization
//
// [AppendObject] writes any [Object] in PDF syntax for incremental updates,
// deterministically: dictionary keys sorted, one space between tokens.
// Names escape with #xx every byte outside printable ASCII, delimiters,
// whitespace and '#'. Strings are written as literal strings in which only
// printable ASCII appears raw: '\', '(' and ')' are escaped, CR and LF as
// \r and \n, every other byte as a three-digit octal escape, so the output
// is 7-bit clean and cannot be cut short by any byte of the value. Reals
// are written by [FormatReal] (no exponent, at most five decimals). Text
// meant for people goes through [TextString] (PDFDocEncoding when possible,
// else UTF-16BE with a byte order mark), dates through [FormatDate]; their
// inverses are [DecodeTextString] and [ParseDate].
//
// Objects returned by Get are freshly parsed and belong to the caller; the
// Trailer dictionary is shared and must not be modified.
package pdf
