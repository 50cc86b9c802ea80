package store

func removeBenchCache() {}
