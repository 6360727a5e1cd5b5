using System.Text;
using static MediaLibrary.Tests.Reliability.Fuzzing.FuzzJson;

namespace MediaLibrary.Tests.Reliability.Fuzzing;

/// Applies a <see cref="Mutation"/> to a request. Deterministic: the same request and mutation
/// give the same bytes, so a seed reproduces a case exactly.
public static class Mutator
{
    private static readonly byte[] BadBytes = [0xFF, 0xC0, 0x80, 0x00, (byte)'"', (byte)'{', (byte)',', 0xED];

    public static void Apply(FuzzRequest request, Mutation m)
    {
        var note = Describe(request, m);
        if (note is not null)
        {
            request.Mutations.Add(note);
        }
    }

    private static string? Describe(FuzzRequest r, Mutation m)
    {
        switch (m.Kind)
        {
            case MutationKind.QueryValue when r.Query.Count > 0:
                var qi = m.Where % r.Query.Count;
                r.Query[qi] = (r.Query[qi].Name, EdgeCases.UrlParts[m.Pick % EdgeCases.UrlParts.Length]);
                return $"QueryValue {r.Query[qi].Name}={r.Query[qi].Value}";
            case MutationKind.QueryAdd:
                var name = (m.Pick % 4) switch { 0 => "unknown", 1 => "limit", 2 => "after", _ => EdgeCases.UrlParts[m.Where % EdgeCases.UrlParts.Length] };
                r.Query.Add((name, EdgeCases.UrlParts[m.Pick % EdgeCases.UrlParts.Length]));
                return $"QueryAdd {name}";
            case MutationKind.QueryDuplicate when r.Query.Count > 0:
                r.Query.Add(r.Query[m.Where % r.Query.Count]);
                return "QueryDuplicate";
            case MutationKind.QueryDrop when r.Query.Count > 0:
                r.Query.RemoveAt(m.Where % r.Query.Count);
                return "QueryDrop";
            case MutationKind.PathSegment when r.Segments.Count > 0:
                var si = m.Where % r.Segments.Count;
                r.Segments[si] = EdgeCases.PathPart(m.Pick);
                return $"PathSegment {si}={r.Segments[si]}";
            case MutationKind.Version:
                r.Version = EdgeCases.PathPart(m.Pick);
                return $"Version {r.Version}";
            case MutationKind.ContentType:
                r.ContentType = EdgeCases.ContentTypes[m.Pick % EdgeCases.ContentTypes.Length];
                return $"ContentType {r.ContentType}";
            case MutationKind.RangeHeader:
                r.Headers["Range"] = EdgeCases.Ranges[m.Pick % EdgeCases.Ranges.Length];
                return "RangeHeader";
            case MutationKind.IfNoneMatch:
                r.Headers["If-None-Match"] = (m.Pick % 3) switch { 0 => "*", 1 => "W/\"x\"", _ => "\"" + new string('e', m.Amount % 300) + "\"" };
                return "IfNoneMatch";
            case MutationKind.Truncate when r.Body is { Length: > 1 } body:
                r.RawBody = body[..(1 + (m.Amount % (body.Length - 1)))];
                return "Truncate";
            case MutationKind.InsertByte when r.Body is { Length: > 0 } body:
                var at = m.Amount % body.Length;
                var bad = BadBytes[m.Pick % BadBytes.Length];
                r.RawBody = [.. body[..at], bad, .. body[at..]];
                return "InsertByte";
            case MutationKind.PrefixBom when r.Body is { } body:
                r.RawBody = [0xEF, 0xBB, 0xBF, .. body];
                return "PrefixBom";
        }

        return r.Json is null || r.RawBody is not null ? null : MutateJson(r, m);
    }

    private static string? MutateJson(FuzzRequest r, Mutation m)
    {
        if (m.Kind == MutationKind.WrapInArray)
        {
            r.Json = A(r.Json!);
            return "WrapInArray";
        }

        if (m.Kind == MutationKind.NullEverywhere)
        {
            foreach (var container in r.Json!.Containers().ToList())
            {
                if (container is Obj o)
                {
                    for (var i = 0; i < o.Properties.Count; i++)
                    {
                        o.Properties[i] = (o.Properties[i].Key, Raw("null"));
                    }
                }
            }

            return "NullEverywhere";
        }

        var containers = r.Json!.Containers().ToList();
        var target = containers[m.Where % containers.Count];
        switch (target)
        {
            case Obj obj when obj.Properties.Count > 0:
                var pi = m.Pick % obj.Properties.Count;
                var key = Encoding.UTF8.GetString(obj.Properties[pi].Key);
                switch (m.Kind)
                {
                    case MutationKind.DropProperty:
                        obj.Properties.RemoveAt(pi);
                        return $"DropProperty {key}";
                    case MutationKind.DuplicateProperty:
                        obj.Properties.Add((obj.Properties[pi].Key, obj.Properties[pi].Value.Clone()));
                        return $"DuplicateProperty {key}";
                    case MutationKind.Reorder:
                        obj.Properties.Reverse();
                        return "Reorder";
                    case MutationKind.ReplaceValue:
                        obj.Properties[pi] = (obj.Properties[pi].Key, EdgeCases.Value(m.Amount, m.Amount / 7));
                        return $"ReplaceValue {key}";
                    case MutationKind.RenameKey:
                        obj.Properties[pi] = (EdgeCases.StringBodies[m.Amount % EdgeCases.StringBodies.Length], obj.Properties[pi].Value);
                        return $"RenameKey {key}";
                    case MutationKind.DeepNest:
                        obj.Properties[pi] = (obj.Properties[pi].Key, EdgeCases.Nest(1 + (m.Amount % 300)));
                        return $"DeepNest {key}";
                }

                break;
            case Arr arr when arr.Items.Count > 0:
                var ai = m.Pick % arr.Items.Count;
                switch (m.Kind)
                {
                    case MutationKind.DropProperty:
                        arr.Items.RemoveAt(ai);
                        return "DropItem";
                    case MutationKind.DuplicateProperty:
                        for (var n = 0; n < 1 + (m.Amount % 120); n++)
                        {
                            arr.Items.Add(arr.Items[ai].Clone());
                        }

                        return "DuplicateItem";
                    case MutationKind.Reorder:
                        arr.Items.Reverse();
                        return "Reorder";
                    case MutationKind.ReplaceValue or MutationKind.RenameKey:
                        arr.Items[ai] = EdgeCases.Value(m.Amount, m.Amount / 7);
                        return "ReplaceItem";
                    case MutationKind.DeepNest:
                        arr.Items[ai] = EdgeCases.Nest(1 + (m.Amount % 300));
                        return "DeepNest";
                }

                break;
        }

        return null;
    }
}
