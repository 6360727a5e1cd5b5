using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MediaLibrary.Api;
using MediaLibrary.Entries;
using MediaLibrary.MediaTypes;

namespace MediaLibrary.Search;

public enum SearchSort
{
    UpdatedDesc,
    UpdatedAsc,
    CreatedDesc,
    CreatedAsc,
    Relevance,
}

/// A search request (SPEC §12) after validation: the words of `q`, the filters, the order and
/// where the page starts.
internal sealed partial record SearchQuery(
    IReadOnlyList<string> Words,
    string? MediaType,
    string? State,
    bool? Archived,
    string? SystemName,
    DateTimeOffset? CreatedFrom,
    DateTimeOffset? CreatedBefore,
    DateTimeOffset? UpdatedFrom,
    DateTimeOffset? UpdatedBefore,
    SearchSort Sort,
    int Limit,
    SearchCursor? After)
{
    /// SPEC §15: only entries whose licence profile is one of these (`licenseProfile`,
    /// `licensePurpose`); null when neither filter is given.
    public IReadOnlyList<string>? LicenseProfiles { get; init; }

    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
    public const int MaxQueryLength = 500;
    public const int MaxWords = 16;

    public static readonly IReadOnlyDictionary<string, SearchSort> Sorts = new Dictionary<string, SearchSort>
    {
        ["-updatedAt"] = SearchSort.UpdatedDesc,
        ["updatedAt"] = SearchSort.UpdatedAsc,
        ["-createdAt"] = SearchSort.CreatedDesc,
        ["createdAt"] = SearchSort.CreatedAsc,
        ["relevance"] = SearchSort.Relevance,
    };

    // A word: letters, digits and the marks that belong to them (a decomposed "é" stays one word).
    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*")]
    private static partial Regex WordPattern();

    public bool Descending => Sort is SearchSort.UpdatedDesc or SearchSort.CreatedDesc or SearchSort.Relevance;

    public bool ByCreation => Sort is SearchSort.CreatedDesc or SearchSort.CreatedAsc;

    /// Parses the query string; every problem goes into `errors` under its parameter's name.
    public static SearchQuery? Parse(IQueryCollection query, MediaTypeCatalog types, UsageLog.LicenseProfileCatalog licenses, UsageLog.UsagePurposeCatalog purposes, Dictionary<string, string> errors)
    {
        string? One(string name)
        {
            var values = query[name];
            if (values.Count > 1)
            {
                errors[name] = "must be given once";
            }

            return values.Count == 0 ? null : values[0];
        }

        var words = new List<string>();
        if (One("q") is { } q && q.Trim().Length > 0)
        {
            if (q.Length > MaxQueryLength)
            {
                errors["q"] = $"must be at most {MaxQueryLength} characters";
            }
            else
            {
                words = WordPattern().Matches(q).Select(m => m.Value.Normalize(NormalizationForm.FormC)).Distinct().ToList();
                if (words.Count == 0)
                {
                    errors["q"] = "must contain a word (letters or digits)";
                }
                else if (words.Count > MaxWords)
                {
                    errors["q"] = $"must hold at most {MaxWords} words (got {words.Count})";
                }
            }
        }

        var mediaType = One("mediaType");
        if (mediaType is not null && types.Find(mediaType) is null)
        {
            errors["mediaType"] = $"No enum match for: \"{mediaType}\" (known: {string.Join(", ", types.All.Select(t => t.Handle))})";
        }

        var state = One("state");
        if (state is not (null or EntryState.Active or EntryState.Revoked or EntryState.Invalid))
        {
            errors["state"] = $"No enum match for: \"{state}\" (known: active, revoked, invalid)";
        }

        bool? archived = One("archived") switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => Fail<bool?>("archived", "must be true or false"),
        };

        var systemName = One("systemName");
        if (systemName is { Length: > 200 })
        {
            errors["systemName"] = "must be at most 200 characters";
        }

        // A profile no longer configured still finds the entries that name it.
        IReadOnlyList<string>? licenseProfiles = null;
        if (One("licenseProfile") is { } profile)
        {
            if (profile.Length is 0 or > 200)
            {
                errors["licenseProfile"] = "must be a licence profile handle";
            }

            licenseProfiles = [profile];
        }

        if (One("licensePurpose") is { } purpose)
        {
            if (purposes.Find(purpose) is null)
            {
                errors["licensePurpose"] = $"No enum match for: \"{purpose}\" (known: {string.Join(", ", purposes.All.Select(p => p.Handle))})";
            }

            var covering = licenses.Covering(purpose);
            licenseProfiles = licenseProfiles is null ? covering : [.. licenseProfiles.Intersect(covering, StringComparer.Ordinal)];
        }

        var createdFrom = Time("createdAt.gte");
        var createdBefore = Time("createdAt.lt");
        var updatedFrom = Time("updatedAt.gte");
        var updatedBefore = Time("updatedAt.lt");

        var sortText = One("sort") ?? "-updatedAt";
        if (!Sorts.TryGetValue(sortText, out var sort))
        {
            errors["sort"] = $"No enum match for: \"{sortText}\" (known: {string.Join(", ", Sorts.Keys)})";
        }
        else if (sort == SearchSort.Relevance && words.Count == 0)
        {
            errors["sort"] = "relevance needs a q";
        }

        var limit = DefaultLimit;
        if (One("limit") is { } limitText &&
            (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxLimit))
        {
            errors["limit"] = $"must be a whole number from 1 to {MaxLimit}";
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var parsed = new SearchQuery(words, mediaType, state, archived, systemName, createdFrom, createdBefore, updatedFrom, updatedBefore, sort, limit, null)
        {
            LicenseProfiles = licenseProfiles,
        };
        if (One("after") is { Length: > 0 } after)
        {
            var cursor = SearchCursor.Decode(after, parsed.Fingerprint());
            if (cursor is null || cursor.Sort != sort)
            {
                errors["after"] = "is not a cursor of this search; pass back the cursor of a previous page with the same q, filters and sort";
                return null;
            }

            parsed = parsed with { After = cursor };
        }

        return parsed;

        T Fail<T>(string name, string message)
        {
            errors[name] = message;
            return default!;
        }

        DateTimeOffset? Time(string name)
        {
            if (One(name) is not { } text)
            {
                return null;
            }

            var at = QueryTime.Parse(text);
            if (at is null)
            {
                errors[name] = QueryTime.Expected;
            }

            return at;
        }
    }

    /// What a cursor must have been made with: the same words and filters (the sort is checked apart).
    public string Fingerprint() =>
        string.Join('\u001f', string.Join(' ', Words), MediaType, State, Archived, SystemName,
            CreatedFrom?.UtcTicks, CreatedBefore?.UtcTicks, UpdatedFrom?.UtcTicks, UpdatedBefore?.UtcTicks,
            LicenseProfiles is null ? null : string.Join(',', LicenseProfiles));
}
