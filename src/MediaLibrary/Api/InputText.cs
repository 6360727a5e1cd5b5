using System.Text.Json;
using System.Text.Unicode;

namespace MediaLibrary.Api;

/// The one place that decides whether request text is text: JSON strings and property names
/// (raw UTF-8 and `\u` escapes), the URL's percent-encoded path and query, and header values.
/// Invalid UTF-8 and unpaired UTF-16 surrogates are refused with a 400 naming where they were,
/// before any handler turns them into .NET strings (System.Text.Json throws when it meets them).
/// So is U+0000: PostgreSQL can store it neither in text nor in jsonb, and one rule on both
/// databases is better than a 500 on one of them.
internal static class InputText
{
    public const string Problem = "is not valid text: it holds invalid UTF-8, an unpaired UTF-16 surrogate or a NUL character";

    /// The JSON path (`patches.0.value`, `body` for the root) of the first string or property name
    /// that is not valid text, or null when all are (or when the JSON is malformed: the parser
    /// reports that with its position).
    public static string? FirstInvalidJsonString(ReadOnlySpan<byte> json, int maxDepth)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth, CommentHandling = JsonCommentHandling.Disallow });
        var path = new JsonPathTracker();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        if (!IsValidText(ref reader))
                        {
                            return path.Current(withProperty: false);
                        }

                        path.Property(reader.GetString()!);
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        path.Value();
                        path.Push(reader.TokenType == JsonTokenType.StartArray);
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.Pop();
                        break;
                    case JsonTokenType.String:
                        path.Value();
                        if (!IsValidText(ref reader))
                        {
                            return path.Current();
                        }

                        break;
                    default:
                        path.Value();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    private static bool IsValidText(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            // Raw control characters are a syntax error already; only the encoding is left to check.
            return Utf8.IsValid(reader.ValueSpan);
        }

        try
        {
            // Unescaping is where `\ud800` without its pair fails.
            return !reader.GetString()!.Contains('\0', StringComparison.Ordinal);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// True when every `%XX` sequence of a raw (still percent-encoded) URL part decodes, together
    /// with the plain characters around it, to valid UTF-8.
    public static bool IsValidPercentEncoded(ReadOnlySpan<char> raw)
    {
        if (!raw.Contains('%') && System.Text.Ascii.IsValid(raw))
        {
            return !raw.Contains('\0');
        }

        Span<byte> small = stackalloc byte[512];
        var bytes = raw.Length <= small.Length ? small : new byte[raw.Length * 3];
        var n = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '%' && i + 2 < raw.Length && IsHex(raw[i + 1]) && IsHex(raw[i + 2]))
            {
                bytes[n++] = (byte)((Hex(raw[i + 1]) << 4) | Hex(raw[i + 2]));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes[n++] = (byte)c;
            }
            else
            {
                // A decoded character (test hosts hand over decoded strings): encode it back.
                if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < raw.Length && char.IsLowSurrogate(raw[i + 1])))
                {
                    return false;
                }

                var length = char.IsHighSurrogate(c) ? 2 : 1;
                n += System.Text.Encoding.UTF8.GetBytes(raw.Slice(i, length), bytes[n..]);
                i += length - 1;
            }
        }

        return Utf8.IsValid(bytes[..n]) && !bytes[..n].Contains((byte)0);
    }

    /// True when a string holds no unpaired UTF-16 surrogate and no NUL (what Kestrel hands over
    /// is always valid; other hosts and test servers may pass anything).
    public static bool IsValidUtf16(ReadOnlySpan<char> value)
    {
        if (value.Contains('\0'))
        {
            return false;
        }

        if (value.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return true;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if (!char.IsSurrogate(value[i]))
            {
                continue;
            }

            if (!char.IsHighSurrogate(value[i]) || i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
            {
                return false;
            }

            i++;
        }

        return true;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int Hex(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// Follows a reader through a document to name the value it is on, Livingdocs style: `patches.0.value`.
    private sealed class JsonPathTracker
    {
        private readonly List<(bool IsArray, int Index, string? Property)> _frames = [];

        public void Push(bool isArray) => _frames.Add((isArray, -1, null));

        public void Pop() => _frames.RemoveAt(_frames.Count - 1);

        public void Property(string name) => _frames[^1] = _frames[^1] with { Property = name };

        /// A value starts: in an array that moves the index on.
        public void Value()
        {
            if (_frames.Count > 0 && _frames[^1].IsArray)
            {
                _frames[^1] = _frames[^1] with { Index = _frames[^1].Index + 1 };
            }
        }

        public string Current(bool withProperty = true)
        {
            var frames = withProperty || _frames.Count == 0 ? _frames : _frames[..^1];
            var parts = frames
                .Select(f => f.IsArray ? (f.Index >= 0 ? f.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) : null) : f.Property)
                .TakeWhile(p => p is not null)
                .ToList();
            return parts.Count == 0 ? "body" : string.Join('.', parts);
        }
    }
}
