using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MediaLibrary.Api;

/// The property names a request record declares, as on the wire. Bodies are validated against
/// them (Livingdocs schemas are closed: anything else is "not an allowed property"), and the API
/// reference shows the same records, so the documentation and the validation are one definition.
/// Bodies are read with <see cref="JsonShape"/> rather than bound to the records, because that
/// names each problem by its Livingdocs path (`patches.0.value`) and reports them all at once.
internal static class RequestSchema<T>
{
    public static readonly string[] Properties = typeof(T)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
        .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name))
        .ToArray();

    /// A patch operation's properties: its record's, plus the `operation` discriminator.
    public static readonly string[] WithOperation = ["operation", .. Properties];
}
