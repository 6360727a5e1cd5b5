using System.Text;
using static MediaLibrary.Tests.Reliability.Fuzzing.FuzzJson;

namespace MediaLibrary.Tests.Reliability.Fuzzing;

/// The values mutations put in: Unicode edge cases, numbers at and past every limit, wrong types.
public static class EdgeCases
{
    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    /// What sits between the quotes of a JSON string (raw bytes: escapes are written as escapes).
    public static readonly byte[][] StringBodies =
    [
        U("\\ud800"), U("\\udc00"), U("a\\udc00\\ud800b"), U("\\ud83d"), U("\\ud83d\\ude00"), U("x\\ud800\\u0041"),
        [0xFF], [0xFE, 0xFF], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xF8, 0x88, 0x80, 0x80, 0x80], [(byte)'a', 0x80, (byte)'b'], [0xF0, 0x9F, 0x98],
        U("\\u0000"), U("a\\u0000b"), U("\uFEFF"), U("\u202Eevil\u202C"), U("\u05D0\u05D1 rtl"), U("e\u0301\u0301\u0301"), U("😀"),
        U("👩‍👩‍👧‍👦"), U("日本語"), U(""), U(" "), U("\\t\\n\\r"), U("../../etc/passwd"), U("' OR 1=1 --"), U("%00"), U("\\\\"),
        U("<script>alert(1)</script>"), U("null"), U("2026-03-14"), U("Tue, 14 Mar 2026 09:19:00 GMT"), U("2026-03-14T09:19:00.000Z"),
        U("2026-02-30T25:61:00Z"), U("1e400"), U("image"), U("fr"),
    ];

    public static readonly string[] Numbers =
    [
        "0", "-1", "1.5", "-0", "1E2", "1e400", "-1e400", "1e-400", "0.0000001", "123456789012345678901234567890",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "2147483647", "2147483648", "-2147483649", "4.5e15", "100", "101",
    ];

    /// Wrong types and degenerate shapes.
    public static readonly FuzzJson[] Shapes =
    [
        Raw("null"), Raw("true"), Raw("false"), A(), O(), A(Num(1), Str("a")), O(("a", O())), A(Raw("null")),
        O(("mediaId", Raw("null"))), O(("$ref", Str("image")), ("reference", O(("id", Num(1))))), Str(""),
    ];

    /// Percent-encoded path segments and query values.
    public static readonly string[] UrlParts =
    [
        "%FF", "%C0%AF", "%E2%82", "%ED%A0%80", "%F4%90%80%80", "%00", "%EF%BB%BF", "%E2%80%AEevil", "e%CC%81", "%F0%9F%98%80",
        "%D7%90%D7%91", "..", "%2e%2e%2f", "a%2Fb", "%25", "", "null", "-1", "0", "99999999999999999999", "1e400", "%20", "a'b",
        "%3Cscript%3E", "%", "%G1", "a%2", "+", "%2B", ",,,", "a,b,c", "%2C",
    ];

    /// A URL part for a path segment. Not `%00`: the test server's client refuses to build such a
    /// path, and Kestrel answers it with its own 400 before any of our code runs.
    public static string PathPart(int pick) => UrlParts[pick % UrlParts.Length] is "%00" ? "%2500" : UrlParts[pick % UrlParts.Length];

    public static readonly string?[] ContentTypes =
    [
        null, "text/plain", "application/json; charset=utf-16", "application/json; charset=latin1", "application/problem+json",
        "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json",
    ];

    public static readonly string[] Ranges = ["bytes=0-0", "bytes=-1", "bytes=5-1", "bytes=0-99999999999999999999", "bytes=a-b", "items=0-1", "bytes=0-1,2-3", "bytes=", "bytes=-0"];

    public static readonly string[] Versions = ["v1", "beta", "2025-03", "2025-11", "2026-01", "2026-03", "2026-05", "2026-07"];

    public static FuzzJson Value(int pick, int amount)
    {
        var groups = StringBodies.Length + Numbers.Length + Shapes.Length + 3;
        var i = pick % groups;
        if (i < StringBodies.Length)
        {
            return RawStr(StringBodies[i]);
        }

        i -= StringBodies.Length;
        if (i < Numbers.Length)
        {
            return Raw(Numbers[i]);
        }

        i -= Numbers.Length;
        if (i < Shapes.Length)
        {
            return Shapes[i].Clone();
        }

        i -= Shapes.Length;
        return i switch
        {
            0 => Str(new string('x', 10 + (amount * 97 % 60_000))),
            1 => Str(string.Concat(Enumerable.Repeat("😀", 1 + (amount % 3_000)))),
            _ => Nest(1 + (amount % 300)),
        };
    }

    /// `[[[…1…]]]` alternating with objects: past the depth limit from 64 levels on.
    public static FuzzJson Nest(int depth)
    {
        FuzzJson node = Num(1);
        for (var d = 0; d < depth; d++)
        {
            node = d % 2 == 0 ? A(node) : O(("a", node));
        }

        return node;
    }
}
