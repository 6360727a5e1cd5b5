using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace MediaLibrary.Storage;

/// Recognises statements that change rows, for the read-session guard (<see cref="DbSession.ForReading"/>).
/// `SELECT … FOR UPDATE` and `ON CONFLICT DO UPDATE SET` inside an INSERT are told apart by what follows the verb.
internal static partial class WriteStatements
{
    private static readonly ConcurrentDictionary<string, bool> Known = new(StringComparer.Ordinal);

    public static bool IsWrite(string sql) => Known.GetOrAdd(sql, static text => Pattern().IsMatch(text));

    [GeneratedRegex(@"\b(INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|REPLACE\s+INTO)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
