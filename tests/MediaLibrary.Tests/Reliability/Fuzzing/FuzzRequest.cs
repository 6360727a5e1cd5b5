using System.Text;

namespace MediaLibrary.Tests.Reliability.Fuzzing;

/// One generated request: a valid template and the mutations applied to it.
public sealed class FuzzRequest
{
    public required string Template { get; init; }
    public required HttpMethod Method { get; init; }
    public required string Version { get; set; }
    public required List<string> Segments { get; init; }
    public List<(string Name, string Value)> Query { get; init; } = [];
    public FuzzJson? Json { get; set; }
    public byte[]? RawBody { get; set; }
    public string? ContentType { get; set; } = "application/json";
    public Dictionary<string, string> Headers { get; } = [];
    public List<string> Mutations { get; } = [];

    /// The body as sent: the JSON tree written out, or raw bytes (uploads, byte-level mutations).
    public byte[]? Body => RawBody ?? Json?.ToBytes();

    public string Url
    {
        get
        {
            var path = "/api/" + Version + "/" + string.Join('/', Segments);
            return Query.Count == 0 ? path : path + "?" + string.Join('&', Query.Select(q => q.Name + "=" + q.Value));
        }
    }

    /// Categories for the summary: the template and each kind of mutation.
    public IEnumerable<string> Categories => Mutations.Count == 0
        ? [$"{Template}: valid"]
        : Mutations.Select(m => m.Split(' ')[0]).Distinct().Select(m => $"mutation: {m}").Prepend($"{Template}: mutated");

    public HttpRequestMessage ToMessage()
    {
        // The URL is percent-encoded already: UriKind keeps escapes as they are.
        var message = new HttpRequestMessage(Method, new Uri("http://localhost" + Url, UriKind.Absolute));
        if (Body is { } body)
        {
            var content = new ByteArrayContent(body);
            if (ContentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            message.Content = content;
        }

        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return message;
    }

    public override string ToString()
    {
        var body = Body is { } b ? Encoding.UTF8.GetString(b.AsSpan(0, Math.Min(b.Length, 400))) : "";
        return $"{Method} {Url} [{string.Join("; ", Mutations)}] content-type={ContentType} {string.Join(" ", Headers.Select(h => $"{h.Key}={h.Value}"))} body={body}";
    }
}

/// What a mutation does, where (an index into the request's containers, segments or parameters,
/// taken modulo their count) and with what (an index into <see cref="EdgeCases"/>).
public enum MutationKind
{
    DropProperty, DuplicateProperty, Reorder, ReplaceValue, RenameKey, NullEverywhere, WrapInArray, DeepNest,
    Truncate, InsertByte, PrefixBom, QueryValue, QueryAdd, QueryDuplicate, QueryDrop, PathSegment, Version,
    ContentType, RangeHeader, IfNoneMatch,
}

public sealed record Mutation(MutationKind Kind, int Where, int Pick, int Amount);
