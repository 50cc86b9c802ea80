// Package faultcampaign holds the fault campaign of the exchange: the
// reference server and two clients as real processes (vanthu-server and
// vanthuctl sync, built with -tags failpoints), a fault proxy on loopback
// between each client and the server (internal/faultproxy: resets,
// refused connections, blackholes, 32 KB/s, latency), SIGKILL of clients
// and server at random moments and at the named failpoints of
// internal/failpoint; hundreds of documents from 1 KB to 8 MB and three of
// 40 MB go both ways. A checker then opens both client caches and proves
// that nothing was lost or duplicated and that every file hashes to its
// name.
//
// TestCampaignReplicas runs it again with two vanthu-server replicas on
// one real PostgreSQL (internal/pgtest) behind a balancer that hands each
// connection to a replica that accepts it: kills take one replica (or,
// one time in five, both), clients reconnect to the other.
//
// The campaign is a test behind the failpoints build tag:
//
//	go test -tags failpoints,migrated_fynedo ./internal/faultcampaign/
//
// Environment: FAULT_SEED (the first seed; printed either way, so that a
// failure can be run again), FAULT_SEEDS (how many seeds, default 3),
// FAULT_DOCS (documents per seed, default 300), FAULT_BIG (40 MB documents
// per seed, default 3), FAULT_REPLICA_SEEDS and FAULT_REPLICA_DOCS (the
// replicas' campaign: 1 seed of 200 documents).
//
// The package has no code of its own outside its tests.
package faultcampaign
