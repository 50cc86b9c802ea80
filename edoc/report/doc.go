// Package report prints and exports the registers (sổ đăng ký văn bản
// đến, đi) of Nghị định 30/2020 Phụ lục IV and the monthly statistics
// of an agency's document office.
//
// # Registers
//
// A Register is the lines of one register (edoc.RegisterEntry) with the
// agency's name, the year and the instant it is printed. WritePDF prints
// it as the Phụ lục IV form: A4 landscape, the title block, a table with
// the register's columns under their Vietnamese headers (repeated on
// every page), long cells wrapped over several lines, a row taller than
// a page continued on the next, page numbers. WriteXLSX writes the same
// register as an Office Open XML workbook of one sheet (our own
// SpreadsheetML, no third-party module): dates are real dates with a
// dd/mm/yyyy format, the header row is bold.
//
// Nothing reads the clock: the output depends on the Register alone, so
// that the same register gives the same bytes (golden tests, archives).
// Dates and times are shown in Vietnam time (edoc.Vietnam).
//
// # Hostile text
//
// The text of a register comes from other agencies' documents. Before
// it is written anywhere, text is cleaned (CleanText): invalid UTF-8
// and the characters XML 1.0 forbids (U+FFFE, U+FFFF) become U+FFFD,
// control characters other than tab, line feed and carriage return
// become spaces. The workbook escapes what is left; its cells are
// inline strings, never formulas, so "=HYPERLINK(…)" stays text. A cell
// longer than a spreadsheet cell may hold (32 767 characters) is cut
// there. The PDF shows a character the embedded font lacks as '?'.
//
// # Statistics
//
// Monthly counts, for one calendar month in Vietnam time, the incoming
// documents received, the outgoing ones issued and the incoming ones
// overdue at the month's end, in total, per handling unit and per
// document type; WriteStatsPDF and WriteStatsXLSX print and export them.
package report
