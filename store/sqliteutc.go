package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"
	"time"
)

// The embedded SQLite stores a time as the text the driver writes, zone
// included, and compares times as text. Rows are written in UTC, but a
// bound such as the first instant of a month in Shanghai would be written
// with +08:00 and compare wrongly for the eight hours a day when the two
// dates differ. The driver registered here writes every time argument in
// UTC, so comparisons are right whatever zone a caller's time is in.
// (MySQL's driver converts to the connection's zone, UTC, itself.)

const sqliteUTCDriver = "sqlite_utc"

var registerSQLiteUTC sync.Once

// sqliteUTCDriverName registers the wrapped driver once and returns its
// name.
func sqliteUTCDriverName() string {
	registerSQLiteUTC.Do(func() {
		db, err := sql.Open("sqlite", "")
		if err != nil {
			panic("store: no sqlite driver: " + err.Error())
		}
		sql.Register(sqliteUTCDriver, utcDriver{db.Driver()})
		db.Close()
	})
	return sqliteUTCDriver
}

type utcDriver struct{ driver.Driver }

func (d utcDriver) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return utcConn{c}, nil
}

// utcConn passes everything to the driver's connection after writing
// times in UTC.
type utcConn struct{ driver.Conn }

// CheckNamedValue writes a time argument in UTC and leaves the rest to
// the default conversion.
func (utcConn) CheckNamedValue(nv *driver.NamedValue) error {
	switch t := nv.Value.(type) {
	case time.Time:
		nv.Value = t.UTC()
	case *time.Time:
		if t != nil {
			nv.Value = t.UTC()
		}
	}
	return driver.ErrSkip
}

func (c utcConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the driver's fallback
}

func (c utcConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c utcConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := c.Conn.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c utcConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := c.Conn.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c utcConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}
