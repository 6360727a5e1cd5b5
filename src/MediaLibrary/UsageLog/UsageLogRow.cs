using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MediaLibrary.Api;
using MediaLibrary.Storage;

namespace MediaLibrary.UsageLog;

/// One usage-log entry as stored.
internal sealed class UsageLogRow
{
    public long Seq { get; set; }
    public string Id { get; set; } = "";
    public string EntryId { get; set; } = "";
    public string Purpose { get; set; } = "";
    public string State { get; set; } = "";
    public string Params { get; set; } = "{}";
    public string? Url { get; set; }
    public long? DocumentId { get; set; }
    public long? PublicationId { get; set; }
    public DateTimeOffset? PublicationDate { get; set; }
    public DateTimeOffset ReportingDate { get; set; }
    public string? ReportedBy { get; set; }

    /// The licence the use was recorded under (SPEC §15), as it was then: the profile's handle and
    /// the rule's JSON; `Billing` null while unresolved.
    public string? LicenseProfile { get; set; }
    public string? LicenseRule { get; set; }
    public bool? Billing { get; set; }

    public const string Columns =
        "seq, id, entry_id, purpose, state, params, url, document_id, publication_id, publication_date, reporting_date, reported_by, license_profile, license_rule, billing";

    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewId() => RandomNumberGenerator.GetString(IdAlphabet, 8);

    /// What `oldValue` is compared with: the fields a client sets.
    public UsageValue Value() => new(State, Purpose, PublicationDate, Url, JsonNode.Parse(Params)!.AsObject());
}

/// Writes usage-log rows straight from the reader into JSON (SPEC §10's shape): no objects per
/// row, the stored params copied as they are. An entry with 10,000 log entries is one query and
/// one buffer.
internal static class UsageLogJson
{
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = AppJson.Options.Encoder, SkipValidation = true };

    /// One row of <see cref="UsageLogRow.Columns"/>; `withLicense` from API 2026-07 on.
    public static void Write(Utf8JsonWriter w, System.Data.Common.DbDataReader r, bool withMediaId, bool withLicense)
    {
        w.WriteStartObject();
        w.WriteString("id", r.GetString(1));
        if (withMediaId)
        {
            w.WriteString("mediaId", r.GetString(2));
        }

        w.WriteString("purpose", r.GetString(3));
        w.WriteString("state", r.GetString(4));
        w.WritePropertyName("params");
        w.WriteRawValue(r.GetString(5), skipInputValidation: true);
        if (!r.IsDBNull(6))
        {
            w.WriteString("url", r.GetString(6));
        }

        if (!r.IsDBNull(7))
        {
            w.WriteNumber("documentId", r.GetInt64(7));
        }

        if (!r.IsDBNull(8))
        {
            w.WriteNumber("publicationId", r.GetInt64(8));
        }

        if (!r.IsDBNull(9))
        {
            w.WriteString("publicationDate", Timestamp(r, 9));
        }

        w.WriteString("reportingDate", Timestamp(r, 10));
        if (r.IsDBNull(11))
        {
            w.WriteNull("reportedBy");
        }
        else
        {
            w.WriteString("reportedBy", r.GetString(11));
        }

        if (withLicense)
        {
            if (!r.IsDBNull(12))
            {
                w.WriteString("licenseProfile", r.GetString(12));
            }

            if (!r.IsDBNull(13))
            {
                w.WritePropertyName("licenseRule");
                w.WriteRawValue(r.GetString(13), skipInputValidation: true);
                if (withMediaId)
                {
                    // The billing export's rows carry the rule's fields flat too, as its CSV columns do.
                    foreach (var field in (string[])["costClass", "billingMode"])
                    {
                        if (RuleField(r, field) is { Length: > 0 } value)
                        {
                            w.WriteString(field, value);
                        }
                    }
                }
            }

            if (Billing(r) is { } billing)
            {
                w.WriteBoolean("billing", billing);
            }
        }

        w.WriteEndObject();
    }

    /// The `billing` column: a boolean on PostgreSQL, 0 or 1 on SQLite; null while unresolved.
    public static bool? Billing(System.Data.Common.DbDataReader r) => r.IsDBNull(14) ? null : Convert.ToBoolean(r.GetValue(14), System.Globalization.CultureInfo.InvariantCulture);

    /// A field of the rule snapshot (`costClass`, `billingMode`), empty when there is none.
    public static string RuleField(System.Data.Common.DbDataReader r, string name) =>
        r.IsDBNull(13) ? "" : JsonNode.Parse(r.GetString(13))?[name]?.GetValue<string>() ?? "";

    private static string Timestamp(System.Data.Common.DbDataReader r, int i) => AppJson.Format(ReadTimestamp(r, i));

    public static DateTimeOffset ReadTimestamp(System.Data.Common.DbDataReader r, int i) => DapperSetup.ReadTimestamp(r, i);

    /// Where a page that ends with this row stops.
    public static UsageLogPosition Position(System.Data.Common.DbDataReader r) =>
        new(r.IsDBNull(9) ? null : ReadTimestamp(r, 9), r.GetString(1));
}

/// The fields of a usage-log entry a client sets (and compares with `oldValue`).
internal sealed record UsageValue(string State, string Purpose, DateTimeOffset? PublicationDate, string? Url, JsonObject Params)
{
    public bool SameAs(UsageValue other) =>
        State == other.State && Purpose == other.Purpose && PublicationDate == other.PublicationDate && Url == other.Url &&
        JsonNode.DeepEquals(Params, other.Params);

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["state"] = State, ["purpose"] = Purpose };
        if (PublicationDate is { } date)
        {
            json["publicationDate"] = AppJson.Format(date);
        }

        if (Url is not null)
        {
            json["url"] = Url;
        }

        json["params"] = Params.DeepClone();
        return json;
    }
}
