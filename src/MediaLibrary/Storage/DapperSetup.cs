using System.Data;
using System.Globalization;
using Dapper;
using MediaLibrary.Api;
using Microsoft.Data.Sqlite;

namespace MediaLibrary.Storage;

internal static class DapperSetup
{
    private static int _done;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1)
        {
            return;
        }

        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new UtcTimestampHandler());
    }

    /// SQLite keeps timestamps as sortable ISO-8601 text; PostgreSQL as timestamptz.
    private sealed class UtcTimestampHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            if (parameter is SqliteParameter)
            {
                parameter.DbType = DbType.String;
                parameter.Value = AppJson.Format(value);
            }
            else
            {
                parameter.Value = value.ToUniversalTime();
            }
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset dto => dto.ToUniversalTime(),
            DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            string s => ParseTimestamp(s),
            _ => throw new DataException($"Cannot read a timestamp from {value.GetType().Name}."),
        };
    }

    /// A timestamp column read by position: SQLite keeps timestamps as text, PostgreSQL as timestamptz.
    public static DateTimeOffset ReadTimestamp(System.Data.Common.DbDataReader r, int i) =>
        r is Microsoft.Data.Sqlite.SqliteDataReader ? ParseTimestamp(r.GetString(i)) : new DateTimeOffset(r.GetFieldValue<DateTime>(i), TimeSpan.Zero);

    /// A stored timestamp: SQLite keeps them as ISO-8601 text in our own format (read without the
    /// general parser: lists read two per row); anything else ISO-8601 is still understood.
    public static DateTimeOffset ParseTimestamp(string s) =>
        TryParseOwnFormat(s) ?? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    // What we write on SQLite, "2026-03-14T09:19:00.928Z".
    private static DateTimeOffset? TryParseOwnFormat(string s)
    {
        if (s.Length != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z')
        {
            return null;
        }

        int Digits(int start, int count)
        {
            var n = 0;
            for (var i = start; i < start + count; i++)
            {
                var d = s[i] - '0';
                if ((uint)d > 9)
                {
                    return -1;
                }

                n = (n * 10) + d;
            }

            return n;
        }

        int year = Digits(0, 4), month = Digits(5, 2), day = Digits(8, 2), hour = Digits(11, 2), minute = Digits(14, 2), second = Digits(17, 2), ms = Digits(20, 3);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59 || ms < 0)
        {
            return null;
        }

        return new DateTimeOffset(year, month, day, hour, minute, second, ms, TimeSpan.Zero);
    }
}
