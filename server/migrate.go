package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vanthuso/vanthu/server/store"
)

// MigrateReport counts what Migrate copied.
type MigrateReport struct {
	Agencies, Users, Blobs, Messages, BoxEntries, Idempotency, Cases, Registers, Audit, AxisSystems, AxisAcks int
	BlobBytes                                                                                                 int64
}

// Migrate copies the store of a stopped server (from, the bolt store of
// a data directory) into to (a PostgreSQL store): vanthu-server
// migrate. The target must hold no agency unless resume (an
// interrupted migration run again: every record already there is left
// as it is). Progress lines go to progress every 10 000 records. The
// target has its own epoch: clients' cursors get a reset, and they list
// their boxes again without duplicates (messages keep their ids).
func Migrate(ctx context.Context, from store.Store, to store.Store, resume bool, progress io.Writer) (MigrateReport, error) {
	var rep MigrateReport
	ex, ok := from.(store.Exporter)
	if !ok {
		return rep, errors.New("migrate: the source store cannot be exported")
	}
	im, ok := to.(store.Importer)
	if !ok {
		return rep, errors.New("migrate: the target store cannot import")
	}
	if have, err := to.Agencies(ctx, "", 1); err != nil {
		return rep, fmt.Errorf("migrate: the target: %w", err)
	} else if len(have) > 0 && !resume {
		return rep, errors.New("migrate: the target store holds agencies already: migrate into an empty database, or add --resume to finish an interrupted migration")
	}
	start, n := time.Now(), 0
	err := ex.Export(ctx, func(r store.Record) error {
		if err := im.Import(ctx, r); err != nil {
			return err
		}
		switch {
		case r.Agency != nil:
			rep.Agencies++
		case r.User != nil:
			rep.Users++
		case r.Blob != nil:
			rep.Blobs++
			rep.BlobBytes += r.Blob.Size
		case r.Message != nil:
			rep.Messages++
		case r.Box != nil:
			rep.BoxEntries++
		case r.Idem != nil:
			rep.Idempotency++
		case r.Case != nil:
			rep.Cases++
		case r.Register != nil:
			rep.Registers++
		case r.Audit != nil:
			rep.Audit++
		case r.AxisSystem != nil:
			rep.AxisSystems++
		case r.AxisAck != nil:
			rep.AxisAcks++
		}
		if n++; n%10000 == 0 && progress != nil {
			fmt.Fprintf(progress, "đã chép %d bản ghi (%d văn bản, %d tệp) sau %v — copied %d records\n", n, rep.Messages, rep.Blobs, time.Since(start).Round(time.Second), n)
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("migrate: %w (run it again with --resume once the cause is fixed: nothing is copied twice)", err)
	}
	return rep, nil
}
