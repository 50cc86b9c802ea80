// Package edoc is the domain of Văn Thư Số: the metadata of an official
// document (Nghị định 30/2020 Phụ lục VI, the edXML MessageHeader of QCVN
// 102:2016), agencies and their mã định danh, the agency directory,
// status codes and business types, and the registers of incoming and
// outgoing documents. Plain Go: no storage, no network, no UI.
package edoc
