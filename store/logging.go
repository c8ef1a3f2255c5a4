package store

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
)

var driverLogsOnce sync.Once

// routeDriverLogs sends the MySQL driver's and go-redis' own log lines
// (reconnects, bad idle connections) to slog at debug level instead of
// stderr; the errors that matter reach the caller and are logged there.
func routeDriverLogs(log *slog.Logger) {
	driverLogsOnce.Do(func() {
		mysqldriver.SetLogger(mysqlLogger{log})
		redis.SetLogger(redisLogger{log})
	})
}

type mysqlLogger struct{ log *slog.Logger }

func (l mysqlLogger) Print(v ...any) {
	l.log.Debug("mysql driver", slog.String("msg", fmt.Sprint(v...)))
}

type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.Debug("redis client", slog.String("msg", fmt.Sprintf(format, v...)))
}
