using System.Text.Json.Nodes;
using MediaLibrary.Api;

namespace MediaLibrary.MediaTypes;

/// (ours) `GET /api/{v}/mediaTypes`: the project's media types (SPEC §6) as configured, so a
/// client (the browser UI among them) can build a metadata form for an entry.
internal static class MediaTypeEndpoints
{
    public sealed record AssetSettings(bool Translatable, bool Replaceable);

    /// `ui` (Livingdocs' metadata config): `{"label": "…"}` when configured, absent otherwise.
    public sealed record PropertyResponse(string Handle, string Type, bool Required, JsonObject Config, JsonObject? Ui = null);

    public sealed record MediaTypeResponse(string Handle, string Type, AssetSettings Asset, IReadOnlyList<PropertyResponse> Metadata);

    /// A licence profile as configured (SPEC §15), for a form's dropdown: its colour and its rules by purpose.
    public sealed record LicenseProfileResponse(string Handle, JsonObject? Label, string? Color, bool ApprovalRequired, IReadOnlyDictionary<string, RuleResponse> Rules);

    /// `billingMode` absent: a person decides each use's billing later.
    public sealed record RuleResponse(string CostClass, string? BillingMode);

    /// `licenseProfiles` (ours): the configured profiles, absent when there are none.
    public sealed record MediaTypeList(IReadOnlyList<MediaTypeResponse> Results, IReadOnlyList<LicenseProfileResponse>? LicenseProfiles = null);

    public static VersionedApi MapMediaTypes(this VersionedApi api)
    {
        api.Read.MapGet("/mediaTypes", (MediaTypeCatalog types, UsageLog.LicenseProfileCatalog licenses) => TypedResults.Ok(new MediaTypeList(types.All.Select(t => new MediaTypeResponse(
                t.Handle, t.Type, new AssetSettings(t.Translatable, t.Replaceable),
                t.Metadata.Select(p => new PropertyResponse(p.Handle, p.Type, p.Required, p.Config, p.Ui)).ToList())).ToList(),
                licenses.All.Count == 0 ? null : [.. licenses.All.OrderBy(p => p.Handle, StringComparer.Ordinal)
                    .Select(p => new LicenseProfileResponse(p.Handle, p.Label, p.Color, p.ApprovalRequired,
                        p.Rules.ToDictionary(r => r.Key, r => new RuleResponse(r.Value.CostClass, r.Value.BillingMode))))])))
            .WithName("GetMediaTypes").WithTags("Media Library")
            .WithSummary("(ours) The project's media types and their metadata properties, as configured.");
        return api;
    }
}
