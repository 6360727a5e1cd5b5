using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MediaLibrary.Entries;
using MediaLibrary.Hosting;
using MediaLibrary.MediaTypes;
using MediaLibrary.Storage;

namespace MediaLibrary.Lifecycle;

/// A media type's `deletionRoutine` (SPEC §14, Livingdocs' filter shape): which entries a routine
/// may delete. `filters` must all hold; a condition is `{"and": [...]}`, `{"or": [...]}` or
/// `{"key", "range"|"term"}`. Parsed and checked at start; turned into SQL for one run at a time
/// (relative bounds such as `now-30d` are fixed when the run starts).
internal sealed partial record DeletionRoutine(bool Enabled, RoutineCondition Filter)
{
    private static readonly HashSet<string> RangeOperators = ["lt", "lte", "gt", "gte"];

    /// Throws a <see cref="StartupException"/> naming the media type and the path of what is wrong.
    public static DeletionRoutine Parse(JsonNode? node, IReadOnlyList<MetadataProperty> properties, string where)
    {
        where = $"{where}, deletionRoutine";
        if (node is not JsonObject routine)
        {
            throw new StartupException($"{where} must be an object with \"enabled\" and \"filters\".");
        }

        if (routine.Select(p => p.Key).FirstOrDefault(k => k is not ("enabled" or "filters")) is { } unknown)
        {
            throw new StartupException($"{where} has an unknown property '{unknown}' (known: enabled, filters).");
        }

        var enabled = routine["enabled"]?.GetValueKind() switch
        {
            null or JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new StartupException($"{where}.enabled must be true or false."),
        };
        if (routine["filters"] is not JsonArray { Count: > 0 } filters)
        {
            throw new StartupException($"{where}.filters must be a non-empty list of conditions (a routine without one would delete every entry not in use).");
        }

        return new DeletionRoutine(enabled, new AllOf([.. filters.Select((f, i) => ParseCondition(f, properties, $"{where}.filters.{i}"))]));
    }

    private static RoutineCondition ParseCondition(JsonNode? node, IReadOnlyList<MetadataProperty> properties, string where)
    {
        if (node is not JsonObject condition)
        {
            throw new StartupException($"{where} must be a condition object.");
        }

        if (condition.Count == 1 && condition["and"] is { } and)
        {
            return new AllOf(List(and, "and"));
        }

        if (condition.Count == 1 && condition["or"] is { } or)
        {
            return new AnyOf(List(or, "or"));
        }

        if (condition["key"]?.GetValueKind() != JsonValueKind.String || condition.Count != 2 || (condition["range"] is null) == (condition["term"] is null))
        {
            throw new StartupException($"{where} must be {{\"and\": [...]}}, {{\"or\": [...]}}, or {{\"key\": ..., \"range\": {{...}}}} / {{\"key\": ..., \"term\": ...}}.");
        }

        var key = condition["key"]!.GetValue<string>();
        var field = FieldOf(key, properties, where);
        return condition["range"] is { } range ? ParseRange(field, range, $"{where}.range") : ParseTerm(field, condition["term"]!, $"{where}.term");

        List<RoutineCondition> List(JsonNode items, string name) => items is JsonArray { Count: > 0 } array
            ? [.. array.Select((c, i) => ParseCondition(c, properties, $"{where}.{name}.{i}"))]
            : throw new StartupException($"{where}.{name} must be a non-empty list of conditions.");
    }

    private static RoutineField FieldOf(string key, IReadOnlyList<MetadataProperty> properties, string where)
    {
        switch (key)
        {
            case "createdAt":
            case "updatedAt":
            case "systemName":
            case "state":
                return new RoutineField(key, null);
        }

        if (key.StartsWith("metadata.", StringComparison.Ordinal) && properties.FirstOrDefault(p => p.Handle == key["metadata.".Length..]) is { } property)
        {
            return new RoutineField(key, property);
        }

        throw new StartupException($"{where}.key '{key}' is not one of createdAt, updatedAt, systemName, state or metadata.<handle> of this media type " +
                                   $"({string.Join(", ", properties.Select(p => "metadata." + p.Handle))}).");
    }

    private static RoutineCondition ParseRange(RoutineField field, JsonNode node, string where)
    {
        var kind = field.Property?.Type switch
        {
            null when field.Key is "createdAt" or "updatedAt" => RangeKind.Time,
            "li-date" or "li-datetime" => RangeKind.Time,
            "li-integer" => RangeKind.Number,
            _ => throw new StartupException($"{where}: '{field.Key}' takes no range (ranges are for createdAt, updatedAt and li-date, li-datetime or li-integer properties)."),
        };
        if (node is not JsonObject { Count: > 0 } bounds)
        {
            throw new StartupException($"{where} must be an object with lt, lte, gt or gte.");
        }

        var parsed = new List<(string Operator, RoutineBound Bound)>();
        foreach (var (op, value) in bounds)
        {
            if (!RangeOperators.Contains(op))
            {
                throw new StartupException($"{where} has '{op}'; expected lt, lte, gt or gte.");
            }

            parsed.Add((op, kind == RangeKind.Time ? TimeBound(value, $"{where}.{op}") : NumberBound(value, $"{where}.{op}")));
        }

        return new RangeCondition(field, parsed);
    }

    private static RoutineBound NumberBound(JsonNode? value, string where) =>
        value?.GetValueKind() == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out var n)
            ? new RoutineBound(null, null, n)
            : throw new StartupException($"{where} must be a whole number (the property is an li-integer).");

    /// An ISO date or date-time, or `now-<n><unit>` with units m h d w M y.
    private static RoutineBound TimeBound(JsonNode? value, string where)
    {
        var text = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        if (text is not null && Relative().Match(text) is { Success: true } relative)
        {
            return new RoutineBound(null, (int.Parse(relative.Groups[1].Value, CultureInfo.InvariantCulture), relative.Groups[2].Value[0]), null);
        }

        if (text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) &&
            (text.Length == 10 || text.Contains('T', StringComparison.Ordinal)))
        {
            return new RoutineBound(at, null, null);
        }

        throw new StartupException($"{where} must be an ISO date (2026-01-31), a date-time with a zone, or now-<n><unit> with unit m, h, d, w, M or y (\"now-30d\"); got {value?.ToJsonString() ?? "nothing"}.");
    }

    private static RoutineCondition ParseTerm(RoutineField field, JsonNode node, string where)
    {
        var values = node is JsonArray list ? [.. list] : new List<JsonNode?> { node };
        if (values.Count == 0)
        {
            throw new StartupException($"{where} must be a value or a non-empty list of values.");
        }

        foreach (var value in values)
        {
            var ok = field.Key switch
            {
                "systemName" => value?.GetValueKind() == JsonValueKind.String,
                "state" => value?.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is EntryState.Active or EntryState.Revoked or EntryState.Invalid,
                "createdAt" or "updatedAt" => false,
                _ => value?.GetValueKind() is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False,
            };
            if (!ok)
            {
                throw new StartupException(field.Key switch
                {
                    "createdAt" or "updatedAt" => $"{where}: '{field.Key}' takes a range, not a term.",
                    "state" => $"{where}: state must be active, revoked or invalid; got {value?.ToJsonString() ?? "null"}.",
                    _ => $"{where}: '{field.Key}' takes a string{(field.Key == "systemName" ? "" : ", a number or true/false")}; got {value?.ToJsonString() ?? "null"}.",
                });
            }
        }

        return new TermCondition(field, [.. values.Select(v => v!.DeepClone())]);
    }

    /// The routine's condition on `media_entries` under alias `e`, with bounds fixed at `now`.
    public string Sql(Dialect dialect, MediaTypeCatalog types, DateTimeOffset now, List<(string Name, object? Value)> parameters)
    {
        parameters.Add(("now", now));
        return Filter.Sql(new RoutineSql(dialect, types, now, parameters));
    }

    [GeneratedRegex("^now-([0-9]{1,6})([mhdwMy])$")]
    private static partial Regex Relative();

    private enum RangeKind
    {
        Time,
        Number,
    }
}

internal sealed record RoutineField(string Key, MetadataProperty? Property);

/// A bound of a range: a time, a time relative to the run (`now-30d`), or a number.
internal sealed record RoutineBound(DateTimeOffset? At, (int Amount, char Unit)? BeforeNow, long? Number)
{
    public DateTimeOffset Time(DateTimeOffset now) => At ?? BeforeNow!.Value.Unit switch
    {
        'm' => now.AddMinutes(-BeforeNow.Value.Amount),
        'h' => now.AddHours(-BeforeNow.Value.Amount),
        'd' => now.AddDays(-BeforeNow.Value.Amount),
        'w' => now.AddDays(-7 * BeforeNow.Value.Amount),
        'M' => now.AddMonths(-BeforeNow.Value.Amount),
        _ => now.AddYears(-BeforeNow.Value.Amount),
    };
}

/// What a condition needs to become SQL: numbered parameters and the state conditions.
internal sealed class RoutineSql(Dialect dialect, MediaTypeCatalog types, DateTimeOffset now, List<(string Name, object? Value)> parameters)
{
    public Dialect Dialect => dialect;
    public DateTimeOffset Now => now;
    public MediaTypeCatalog Types => types;

    public string Add(object? value)
    {
        var name = $"r{parameters.Count}";
        parameters.Add((name, value));
        return "@" + name;
    }
}

internal abstract record RoutineCondition
{
    public abstract string Sql(RoutineSql sql);

    protected static string Literal(string text) => Search.SearchSql.Literal(text);

    protected static string JsonPath(string handle) => Search.SearchSql.JsonPath(handle);
}

internal sealed record AllOf(IReadOnlyList<RoutineCondition> Conditions) : RoutineCondition
{
    public override string Sql(RoutineSql sql) => "(" + string.Join(" AND ", Conditions.Select(c => c.Sql(sql))) + ")";
}

internal sealed record AnyOf(IReadOnlyList<RoutineCondition> Conditions) : RoutineCondition
{
    public override string Sql(RoutineSql sql) => "(" + string.Join(" OR ", Conditions.Select(c => c.Sql(sql))) + ")";
}

internal sealed record RangeCondition(RoutineField Field, IReadOnlyList<(string Operator, RoutineBound Bound)> Bounds) : RoutineCondition
{
    public override string Sql(RoutineSql sql)
    {
        var postgres = sql.Dialect.IsPostgres;
        var parts = new List<string>();
        foreach (var (op, bound) in Bounds)
        {
            var compare = op switch { "lt" => "<", "lte" => "<=", "gt" => ">", _ => ">=" };
            if (Field.Property is null)
            {
                parts.Add($"e.{(Field.Key == "createdAt" ? "created_at" : "updated_at")} {compare} {sql.Add(bound.Time(sql.Now))}");
                continue;
            }

            var handle = Field.Property.Handle;
            if (bound.Number is { } number)
            {
                parts.Add(postgres
                    ? $"CAST(e.metadata ->> {Literal(handle)} AS bigint) {compare} {sql.Add(number)}"
                    : $"json_extract(e.metadata, {Literal(JsonPath(handle))}) {compare} {sql.Add(number)}");
            }
            else
            {
                var at = sql.Add(bound.Time(sql.Now));
                parts.Add(postgres
                    ? $"CAST(e.metadata ->> {Literal(handle)} AS timestamptz) {compare} {at}"
                    : $"julianday(json_extract(e.metadata, {Literal(JsonPath(handle))})) {compare} julianday({at})");
            }
        }

        return "(" + string.Join(" AND ", parts) + ")";
    }
}

internal sealed record TermCondition(RoutineField Field, IReadOnlyList<JsonNode> Values) : RoutineCondition
{
    public override string Sql(RoutineSql sql)
    {
        var postgres = sql.Dialect.IsPostgres;
        switch (Field.Key)
        {
            case "systemName":
                return sql.Dialect.InList("e.system_name", sql.Add(Values.Select(v => v.GetValue<string>()).ToArray()));
            case "state":
                var invalid = Search.SearchSql.InvalidCondition(sql.Types, postgres);
                return "(" + string.Join(" OR ", Values.Select(v => v.GetValue<string>() switch
                {
                    EntryState.Revoked => $"e.revoked = {sql.Dialect.True}",
                    EntryState.Invalid => $"(e.revoked = {sql.Dialect.False} AND ({invalid}))",
                    _ => $"(e.revoked = {sql.Dialect.False} AND NOT ({invalid}))",
                })) + ")";
        }

        var handle = Field.Property!.Handle;
        return "(" + string.Join(" OR ", Values.Select(v =>
        {
            if (postgres)
            {
                // jsonb equality: by value, whatever the stored text looks like.
                return $"e.metadata -> {Literal(handle)} = CAST({sql.Add(v.ToJsonString())} AS jsonb)";
            }

            var path = Literal(JsonPath(handle));
            return v.GetValueKind() switch
            {
                JsonValueKind.String => $"(json_type(e.metadata, {path}) = 'text' AND json_extract(e.metadata, {path}) = {sql.Add(v.GetValue<string>())})",
                JsonValueKind.Number => $"(json_type(e.metadata, {path}) IN ('integer', 'real') AND json_extract(e.metadata, {path}) = {sql.Add(v.GetValue<double>())})",
                JsonValueKind.True => $"json_type(e.metadata, {path}) = 'true'",
                _ => $"json_type(e.metadata, {path}) = 'false'",
            };
        })) + ")";
    }
}
