namespace MediaLibrary.Api;

/// A Livingdocs API release. Handlers compare versions (`version >= ApiVersion.V2026_01`)
/// instead of matching strings; `v1` and `beta` are aliases of the oldest release.
public sealed class ApiVersion : IComparable<ApiVersion>, IEquatable<ApiVersion>
{
    public static readonly ApiVersion V2025_03 = new(0, "2025-03");
    public static readonly ApiVersion V2025_05 = new(1, "2025-05");
    public static readonly ApiVersion V2025_07 = new(2, "2025-07");
    public static readonly ApiVersion V2025_09 = new(3, "2025-09");
    public static readonly ApiVersion V2025_11 = new(4, "2025-11");
    public static readonly ApiVersion V2026_01 = new(5, "2026-01");
    public static readonly ApiVersion V2026_03 = new(6, "2026-03");
    public static readonly ApiVersion V2026_05 = new(7, "2026-05");
    public static readonly ApiVersion V2026_07 = new(8, "2026-07");

    public static IReadOnlyList<ApiVersion> All { get; } =
        [V2025_03, V2025_05, V2025_07, V2025_09, V2025_11, V2026_01, V2026_03, V2026_05, V2026_07];

    public static ApiVersion Latest => V2026_07;

    private ApiVersion(int ordinal, string name) => (Ordinal, Name) = (ordinal, name);

    public int Ordinal { get; }
    public string Name { get; }

    public static bool TryParse(string? value, out ApiVersion version)
    {
        version = value switch
        {
            "v1" or "beta" => V2025_03,
            _ => All.FirstOrDefault(v => v.Name == value)!,
        };
        return version is not null;
    }

    /// Minimal API binding: the version was validated by <see cref="ApiVersionMiddleware"/>.
    public static ValueTask<ApiVersion?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.Features.Get<ApiVersion>());

    public int CompareTo(ApiVersion? other) => other is null ? 1 : Ordinal.CompareTo(other.Ordinal);
    public bool Equals(ApiVersion? other) => other is not null && other.Ordinal == Ordinal;
    public override bool Equals(object? obj) => Equals(obj as ApiVersion);
    public override int GetHashCode() => Ordinal;
    public override string ToString() => Name;

    public static bool operator ==(ApiVersion? a, ApiVersion? b) => a?.Ordinal == b?.Ordinal;
    public static bool operator !=(ApiVersion? a, ApiVersion? b) => !(a == b);
    public static bool operator <(ApiVersion a, ApiVersion b) => a.Ordinal < b.Ordinal;
    public static bool operator >(ApiVersion a, ApiVersion b) => a.Ordinal > b.Ordinal;
    public static bool operator <=(ApiVersion a, ApiVersion b) => a.Ordinal <= b.Ordinal;
    public static bool operator >=(ApiVersion a, ApiVersion b) => a.Ordinal >= b.Ordinal;
}
